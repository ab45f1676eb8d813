using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Rows past the retention go, in several chunks; younger rows stay and still turn a copy of their message away.</summary>
    [Fact]
    public async Task RowsOlderThanTheRetentionArePurgedAndYoungerOnesStillDeduplicate()
    {
        using var dir = new TempDirectory();
        await using var host = await ComponentHost.StartAsync(dir.File("inbox.db"),
            s => s["Messaging:InboxRetention"] = "01:00:00");
        var charge = ComponentHost.Charge();
        var applied = Guid.NewGuid();
        await host.PublishAsMessageIdAsync(charge, applied);
        await Eventually.UntilAsync(host.EffectsAsync, e => e.Any(x => x.MessageId == applied), "the charge to be applied");

        var now = DateTimeOffset.UtcNow;
        var expired = Enumerable.Range(0, 4_500).Select(i => new InboxMessage
            { MessageId = Guid.NewGuid(), Consumer = "expired", ProcessedAt = now - TimeSpan.FromHours(2) - TimeSpan.FromSeconds(i) }).ToList();
        var kept = Enumerable.Range(0, 10).Select(i => new InboxMessage
            { MessageId = Guid.NewGuid(), Consumer = "kept", ProcessedAt = now - TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(i) }).ToList();
        await host.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<ComponentDbContext>();
            db.InboxMessages.AddRange(expired);
            db.InboxMessages.AddRange(kept);
            return await db.SaveChangesAsync();
        });

        // The host's own janitor purges once at start and may still be at it: count what is left, not what this call deleted.
        var janitor = host.Services.GetRequiredService<InboxJanitor>();
        Assert.InRange(await janitor.PurgeAsync(CancellationToken.None), 0, 4_500);
        Assert.Equal(0, await janitor.PurgeAsync(CancellationToken.None));

        var left = await host.InScopeAsync(sp => sp.GetRequiredService<ComponentDbContext>().InboxMessages.AsNoTracking().ToListAsync());
        Assert.Equal(11, left.Count);
        Assert.Equal(kept.Select(k => k.MessageId).Append(applied).Order(), left.Select(r => r.MessageId).Order());

        await host.PublishAsMessageIdAsync(charge, applied);
        await Eventually.UntilAsync(() => host.Tap.ConsumedWithId(applied), c => c.Count(x => x.Succeeded) == 2,
            "the copy to be consumed");
        Assert.Single(await host.EffectsAsync(), e => e.MessageId == applied);
    }
}
