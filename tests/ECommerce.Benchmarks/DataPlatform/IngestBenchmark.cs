using System.Diagnostics;
using System.Globalization;
using ECommerce.Benchmarks.Report;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using ECommerce.Services.IntegrationTests.DataPlatform;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Infrastructure;
using Xunit.Abstractions;

namespace ECommerce.Benchmarks.DataPlatform;

/// <summary>Events ingested per second by the data platform (the built service, a child process, on a real broker and
/// database, with a topic prefix of its own). Backlog: the events are produced to the domain topics before the service
/// starts (the topics exist beforehand, as the AppHost creates them, and retain them), so the figure is the ingest alone
/// (read, dedupe, event rows, projections, offsets, one transaction per batch), timed from its first committed batch to the
/// last. Live: the service runs while the events are produced as the services' relays produce them (the integration tests'
/// <see cref="EventPublisher"/>: envelope, headers, keys, an idempotent producer with acks=all), timed from the first
/// produce to the last event ingested.</summary>
internal static class IngestBenchmark
{
    const string Service = "data-platform";

    /// <summary>Records in flight while producing. The relays of several services together keep many in flight; a narrow
    /// window (one round trip per 64 records) would make the live shape measure this process's producer, not the ingest.</summary>
    const int InFlight = 10_000;

    public static async Task<IReadOnlyList<IngestResult>> RunAsync(string provider, BenchmarkOptions options, ITestOutputHelper output)
    {
        var events = options.IngestEvents;
        var environment = await ServiceEnvironment.CreateAsync("bench-ingest", BenchmarkOptions.DatabaseOf(provider), output).ConfigureAwait(false);
        await using (environment.ConfigureAwait(false))
        {
            try
            {
                using var publisher = new EventPublisher(environment);
                var producing = Stopwatch.StartNew();
                await publisher.PublishAsync(Events(events, 1), InFlight).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{provider}] backlog of {events} events produced in {producing.Elapsed.TotalSeconds:0.0} s; starting the data platform"));

                var service = await environment.StartInstanceAsync(Service, $"{Service}-{provider}", options.EnvironmentForService()).ConfigureAwait(false);
                await service.WaitHealthyAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                using var api = new DataPlatformApi(service.BaseAddress);
                // Timed from the first committed batch, so that the process's start-up is not counted as ingest time.
                var first = await WaitForAsync(api, 1).ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                var ingested = await WaitForAsync(api, events).ConfigureAwait(false);
                var backlog = new IngestResult(provider, "backlog (service started on it)", (int)(events - first), clock.Elapsed, ingested - first);

                clock.Restart();
                await publisher.PublishAsync(Events(events, 2), InFlight).ConfigureAwait(false);
                var produced = clock.Elapsed;
                ingested = await WaitForAsync(api, 2L * events).ConfigureAwait(false);
                var live = new IngestResult(provider, "live (produced while running)", events, clock.Elapsed, ingested - events);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{provider}] backlog {backlog.PerSecond:0} events/s; live {live.PerSecond:0} events/s (produced at {events / produced.TotalSeconds:0}/s)"));
                var peak = ProcessMemory.PeakResidentBytes(service.Pid);
                return [backlog with { PeakBytes = peak }, live with { PeakBytes = peak }];
            }
            catch
            {
                Console.Error.WriteLine(environment.Log.Recent);
                throw;
            }
        }
    }

    /// <summary>Polls <c>/api/stats</c> until <paramref name="events"/> are ingested; returns the count then.</summary>
    static async Task<long> WaitForAsync(DataPlatformApi api, long events)
    {
        var ingested = 0L;
        await Poll.UntilAsync(async _ => (ingested = await api.EventsIngestedAsync().ConfigureAwait(false)) >= events,
            TimeSpan.FromMinutes(5), $"{events} events to be ingested", interval: TimeSpan.FromMilliseconds(25)).ConfigureAwait(false);
        return ingested;
    }

    /// <summary>A mix over keyed topics and order-completed, a quarter of them completed orders with product lines; each with
    /// a message id of its own, as an outbox row has.</summary>
    static IEnumerable<PlannedEvent> Events(int count, int seed)
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
            yield return new PlannedEvent(Guid.NewGuid(), message);
        }
    }
}
