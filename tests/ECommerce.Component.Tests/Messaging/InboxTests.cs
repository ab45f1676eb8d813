using ECommerce.Component.Tests.Infrastructure;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>The inbox: a message id applied once per consumer however often it is delivered, and every delivery acknowledged.</summary>
public sealed class InboxTests
{
    [Fact]
    public async Task SameMessageIdDeliveredTwiceHasOneEffectAndBothAreAcknowledged()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("inbox.db"));
        var charge = ComponentHost.Charge();
        var id = Guid.NewGuid();

        await host.PublishAsMessageIdAsync(charge, id);
        await host.PublishAsMessageIdAsync(charge, id);

        var deliveries = await Eventually.UntilAsync(() => host.Tap.ConsumedWithId(id), c => c.Count(x => x.Succeeded) == 2,
            "both deliveries to be consumed");
        Assert.All(deliveries, d => Assert.True(d.Succeeded, ComponentHost.Describe(deliveries)));
        Assert.Single(await host.EffectsAsync(), e => e.MessageId == id);
        Assert.Equal(1, await host.InboxCountAsync(id));
        Assert.Empty(await host.DeadLettersAsync());
    }

    [Fact]
    public async Task ConcurrentDuplicatesHaveOneEffect()
    {
        const int copies = 4;
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("inbox.db"));
        var order = ComponentHost.CompletedOrder();
        var id = Guid.NewGuid();
        host.Gate.Expect(copies);

        await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => host.PublishAsMessageIdAsync(order, id)));

        var deliveries = await Eventually.UntilAsync(() => host.Tap.ConsumedWithId(id), c => c.Count == copies,
            "every copy to be consumed");
        // All copies were inside the consumer together, past the inbox check, before any committed: a real race.
        Assert.Equal(copies, host.Gate.Arrived);
        Assert.All(deliveries, d => Assert.True(d.Succeeded, ComponentHost.Describe(deliveries)));
        Assert.Single(await host.EffectsAsync(), e => e.MessageId == id);
        Assert.Equal(1, await host.InboxCountAsync(id));
        Assert.Empty(await host.DeadLettersAsync());
    }
}
