extern alias dataplatform;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using ECommerce.Benchmarks.Report;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Messaging.Topology;
using dataplatform::ECommerce.DataPlatform.Log;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.Benchmarks.DataPlatform;

/// <summary>Events ingested per second by the data platform (the built service, a child process, on a real broker and database). Backlog: the
/// events wait in the streams and the service starts, so the figure is the ingest alone (read, dedupe, event rows,
/// projections, offsets, one transaction per batch), timed from its first committed batch to the last. Live: the service runs while the events are published as the services'
/// relays publish them (publisher confirms, 64 in flight), timed from the first publish to the last event ingested.</summary>
internal static class IngestBenchmark
{
    public static async Task<IReadOnlyList<IngestResult>> RunAsync(string provider, string database, Uri brokerUri, int events,
        IReadOnlyDictionary<string, string> serviceEnvironment)
    {
        await TopologyProvisioner.ProvisionAsync(brokerUri, new MessagingOptions()).ConfigureAwait(false);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(brokerUri));
        await bus.StartAsync().ConfigureAwait(false);
        var output = new ConcurrentQueue<string>();
        var settings = new ServiceSettings(brokerUri.ToString(), database) { Environment = serviceEnvironment };
        try
        {
            var publisher = new OutboxPublisher(bus, new TransportAddresses(MessagingTransport.RabbitMq));
            var results = new List<IngestResult>();

            // The first start declares the streams; the backlog is published while the service is down.
            var declaring = await StartServiceAsync(provider, settings, output).ConfigureAwait(false);
            await using (declaring.ConfigureAwait(false))
                await WaitForStreamsAsync(brokerUri).ConfigureAwait(false);
            await PublishAsync(publisher, Events(events, 1)).ConfigureAwait(false);
            var service = await StartServiceAsync(provider, settings, output).ConfigureAwait(false);
            await using (service.ConfigureAwait(false))
            {
                using var client = new HttpClient { BaseAddress = service.BaseAddress };
                // Timed from the first committed batch, so that the process's start-up is not counted as ingest time.
                var first = await WaitForAsync(client, 1).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                var ingested = await WaitForAsync(client, events).ConfigureAwait(false);
                var measured = (int)(events - first);
                var backlog = new IngestResult(provider, "backlog (service started on it)", measured, clock.Elapsed, ingested - first);

                clock.Restart();
                await PublishAsync(publisher, Events(events, 2)).ConfigureAwait(false);
                ingested = await WaitForAsync(client, 2L * events).ConfigureAwait(false);
                var live = new IngestResult(provider, "live (publish while running)", events, clock.Elapsed, ingested - events);
                var peak = ProcessMemory.PeakResidentBytes(service.Pid);
                results.Add(backlog with { PeakBytes = peak });
                results.Add(live with { PeakBytes = peak });
            }

            return results;
        }
        catch
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, output.TakeLast(50)));
            throw;
        }
        finally
        {
            await bus.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The built data-platform service as a child process, as deployed.</summary>
    static async Task<ServiceProcess> StartServiceAsync(string provider, ServiceSettings settings, ConcurrentQueue<string> output)
    {
        var service = ServiceProcess.Start("data-platform", $"data-platform-{provider}", settings, output.Enqueue);
        try
        {
            await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            return service;
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Polls <c>/api/stats</c> until <paramref name="events"/> are ingested; returns the count.</summary>
    static async Task<long> WaitForAsync(HttpClient client, long events)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var stats = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/stats", UriKind.Relative)).ConfigureAwait(false);
            var ingested = stats.GetProperty("eventsIngested").GetInt64();
            if (ingested >= events)
                return ingested;
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
                throw new TimeoutException($"{ingested} of {events} events ingested after 5 minutes.");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Polls until the service declared every stream of the log (a passive declare per stream).</summary>
    static async Task WaitForStreamsAsync(Uri brokerUri)
    {
        var streams = new RetainedLog(new MessagingOptions(), NullLogger<RetainedLog>.Instance).Streams;
        var connection = await new ConnectionFactory { Uri = brokerUri }.CreateConnectionAsync().ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    foreach (var stream in streams)
                    {
                        var channel = await connection.CreateChannelAsync().ConfigureAwait(false);
                        await using (channel.ConfigureAwait(false))
                            await channel.QueueDeclarePassiveAsync(stream.Queue).ConfigureAwait(false);
                    }

                    return;
                }
                catch (OperationInterruptedException) when (attempt < 600)
                {
                    await Task.Delay(100).ConfigureAwait(false);
                }
            }
        }
    }

    static Task PublishAsync(OutboxPublisher publisher, IEnumerable<OutboxMessage> rows) =>
        Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (row, ct) => await publisher.PublishAsync(row, ct).ConfigureAwait(false));

    /// <summary>A mix over every keyed topic and order-completed, a quarter of them completed orders with product lines.</summary>
    static IEnumerable<OutboxMessage> Events(int count, int seed)
    {
        var random = new Random(seed);
        var products = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToArray();
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            long user = random.Next(1, 10_000);
            object message = (i % 4) switch
            {
                0 => new OrderCompleted(Guid.NewGuid(), user, [new OrderLine(products[random.Next(products.Length)], 2, 5m, 10m)], 10m, 0m, 10m, null, at),
                1 => new CouponIssued(Guid.NewGuid(), Guid.NewGuid(), user, Guid.NewGuid(), 1, at),
                2 => new BalanceCharged(Guid.NewGuid(), user, 12.34m, 12.34m, i, at),
                _ => new StockReserved(Guid.NewGuid(), products[random.Next(products.Length)], 1, 5, at),
            };
            yield return OutboxBatch.Row(message, at);
        }
    }
}
