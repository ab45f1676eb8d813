using ECommerce.Testing.Infrastructure;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests;

/// <summary>A receive endpoint that lost its consumer without the bus noticing — as MassTransit sometimes leaves one after a
/// broker crash — is found from the broker's consumer count and restarted, and what its partition collected meanwhile is
/// applied, once.</summary>
public sealed class ReceiveEndpointWatchdogTests(ITestOutputHelper output)
{
    const int Messages = 40;

    [Fact]
    public async Task Partitions_left_without_a_consumer_are_restarted_and_drain()
    {
        await using var environment = await TestEnvironment.CreateAsync("watchdog", DatabaseKind.Sqlite, output, o =>
        {
            o.ConsumerWatchInterval = TimeSpan.FromMilliseconds(250);
            o.ConsumerStallAfter = TimeSpan.FromSeconds(8);
        });
        var ledgerDatabase = await environment.CreateDatabaseAsync(TestServices.Ledger);
        var builder = TestServices.LedgerBuilder(environment, ledgerDatabase, m => m.ConsumeCounted<ChargeLedgerConsumer>(Topics.BalanceActivity));
        var endpoints = new EndpointCapture();
        builder.Services.AddReceiveEndpointObserver(_ => endpoints);
        await using var ledger = await TestServices.StartLedgerAsync(environment, builder.Build(), Topics.BalanceActivity);
        var watchdog = ledger.Services.GetRequiredService<ReceiveEndpointWatchdog>();
        var partitions = Queues.Of(TestServices.Ledger, Topics.BalanceActivity, environment.Messaging);
        await using var probe = await BrokerProbe.ConnectAsync(environment.BrokerUri);

        // Every partition's endpoint stops consuming behind the bus's back: the bus still counts them as its endpoints.
        foreach (var queue in partitions)
            await endpoints.Of(queue).Stop();
        Assert.All(await Task.WhenAll(partitions.Select(probe.QueueAsync)), q => Assert.Equal(0u, q!.Value.Consumers));

        var ids = Enumerable.Range(0, Messages).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < Messages; i++)
            await DirectPublisher.PublishAsync(ledger.Services, ids[i], new BalanceCharged(Guid.NewGuid(), 500 + i, 1m, 1m, 1, DateTimeOffset.UtcNow));
        Assert.Equal(0, ledger.Services.GetRequiredService<DeliveryLog>().Total);

        await Poll.UntilAsync(async _ => await ledger.Host.QueryAsync<LedgerDbContext, int>(db => db.Entries.CountAsync()) == Messages,
            TimeSpan.FromSeconds(90), "the watchdog to restart the partitions and the charges to be applied");

        Assert.True(watchdog.Restarts >= partitions.Count, $"{watchdog.Restarts} restarts for {partitions.Count} stopped partitions");
        Assert.All(await Task.WhenAll(partitions.Select(probe.QueueAsync)), q => Assert.Equal(1u, q!.Value.Consumers));
        var applied = await ledger.Host.QueryAsync<LedgerDbContext, List<Guid>>(db => db.Entries.Select(e => e.MessageId).ToListAsync());
        Assert.Equal(ids.Order(), applied.Order());
    }
}
