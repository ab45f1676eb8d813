using System.Diagnostics;
using Confluent.Kafka;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.Benchmarks;

/// <summary>Outbox relay throughput: <c>messages</c> committed outbox rows over <c>keys</c> partition keys, then the relay
/// started; measured from the topics being ready until every row is acknowledged by the broker (<c>acks=all</c>) and deleted.
/// The topic's end offsets count what actually arrived, so the figure is of delivered records.</summary>
internal static class OutboxBenchmark
{
    public static async Task<BenchmarkResult> RunAsync(string provider, string connectionString, string bootstrapServers, int messages, int keys)
    {
        // Topics of their own, so that the end offsets count this run's records only.
        var prefix = $"bench-outbox-{provider}-{Guid.NewGuid().ToString("N")[..6]}.";
        // Created before the clock starts: creating topics is start-up, not relaying.
        await KafkaTopics.EnsureAsync(bootstrapServers, new MessagingOptions { TopicPrefix = prefix }).ConfigureAwait(false);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:bench"] = connectionString,
            ["ConnectionStrings:messaging"] = bootstrapServers,
            ["Messaging:TopicPrefix"] = prefix,
        });
        builder.AddPersistence<BenchDbContext>("bench");
        builder.AddMessaging("bench");
        using var host = builder.Build();

        await SeedAsync(host.Services, messages, keys).ConfigureAwait(false);

        await host.StartAsync().ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        await WaitUntilAsync(async () => await PendingAsync(host.Services).ConfigureAwait(false) == 0, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        stopwatch.Stop();
        var arrived = Count(bootstrapServers, prefix + Topics.BalanceActivity);
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

    /// <summary>Records in the topic: the sum of its partitions' end offsets (it was created empty for this run).</summary>
    static long Count(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "bench-count" })
            .SetLogHandler((_, _) => { }).Build();
        return partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value);
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
