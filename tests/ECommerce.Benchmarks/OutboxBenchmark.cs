using System.Diagnostics;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Messaging.Topology;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace ECommerce.Benchmarks;

/// <summary>Outbox relay throughput: <c>messages</c> committed outbox rows over <c>keys</c> partition keys, then the relay
/// started; measured from the bus being connected until every row is published with a broker confirm and marked sent. A queue bound to every
/// partition counts what actually arrived, so the figure is of delivered messages.</summary>
internal static class OutboxBenchmark
{
    public static async Task<BenchmarkResult> RunAsync(string provider, string connectionString, Uri brokerUri, int messages, int keys)
    {
        var sink = $"bench.sink.{provider}";
        var options = new MessagingOptions();
        await TopologyProvisioner.ProvisionAsync(brokerUri, options).ConfigureAwait(false);
        await BindSinkAsync(brokerUri, sink, options).ConfigureAwait(false);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:bench"] = connectionString,
            ["ConnectionStrings:messaging"] = brokerUri.ToString(),
            ["Messaging:Transport"] = "RabbitMq",
        });
        builder.AddPersistence<BenchDbContext>("bench");
        builder.AddMessaging("bench");
        using var host = builder.Build();

        await SeedAsync(host.Services, messages, keys).ConfigureAwait(false);

        // Timed from the moment the bus is connected: the relay waits for that too, and connecting is start-up, not relaying.
        await host.StartAsync().ConfigureAwait(false);
        await host.Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(60))
            .ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        await WaitUntilAsync(async () => await PendingAsync(host.Services).ConfigureAwait(false) == 0, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        stopwatch.Stop();
        var arrived = await CountAsync(brokerUri, sink).ConfigureAwait(false);
        await host.StopAsync().ConfigureAwait(false);

        return new BenchmarkResult(provider, messages, stopwatch.Elapsed, arrived);
    }

    static async Task SeedAsync(IServiceProvider services, int messages, int keys)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            await SchemaSynchronizer.SynchronizeAsync(db, CancellationToken.None).ConfigureAwait(false);
        }

        const int batch = 1000;
        for (var start = 0; start < messages; start += batch)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
            for (var i = start; i < Math.Min(messages, start + batch); i++)
            {
                var userId = (i % keys) + 1;
                outbox.Add(new BalanceCharged(Guid.NewGuid(), userId, 1m, i / keys + 1m, i / keys + 1, DateTimeOffset.UtcNow));
            }

            await db.SaveChangesAsync().ConfigureAwait(false);
        }
    }

    static async Task<long> PendingAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BenchDbContext>();
        return await db.OutboxMessages.LongCountAsync().ConfigureAwait(false);
    }

    static async Task BindSinkAsync(Uri brokerUri, string sink, MessagingOptions options)
    {
        var factory = new ConnectionFactory { Uri = brokerUri };
        await using var connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        await channel.QueueDeleteAsync(sink).ConfigureAwait(false);
        await channel.QueueDeclareAsync(sink, durable: true, exclusive: false, autoDelete: false).ConfigureAwait(false);
        for (var p = 0; p < options.PartitionsOf(Topics.BalanceActivity); p++)
            await channel.QueueBindAsync(sink, TopologyNames.PartitionExchange(Topics.BalanceActivity, p), string.Empty).ConfigureAwait(false);
    }

    static async Task<long> CountAsync(Uri brokerUri, string sink)
    {
        var factory = new ConnectionFactory { Uri = brokerUri };
        await using var connection = await factory.CreateConnectionAsync().ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
        var ok = await channel.QueueDeclarePassiveAsync(sink).ConfigureAwait(false);
        await channel.QueueDeleteAsync(sink).ConfigureAwait(false);
        return ok.MessageCount;
    }

    static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The relay did not drain the outbox in time.");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
