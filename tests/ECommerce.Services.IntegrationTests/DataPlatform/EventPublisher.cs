using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Records;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>Produces events exactly as the services' outbox relays do (<see cref="ContractProducer"/>): the planned message id
/// as the message id, each keyed event with its partition key as the record key (an unkeyed one without a key), the
/// MassTransit envelope and headers, an idempotent producer acknowledged by the in-sync replicas. After each call it checks
/// that the brokers hold every record they acknowledged, so that a record lost on its way into the log fails here, named,
/// rather than as an ingest that never completes.</summary>
public sealed class EventPublisher : IDisposable
{
    readonly ServiceEnvironment _environment;
    readonly ContractProducer _producer;
    readonly ConcurrentBag<TopicPartitionOffset> _acknowledged = [];
    readonly MeterListener _listener;
    long _unconfirmed;

    public EventPublisher(ServiceEnvironment environment)
    {
        _environment = environment;
        _producer = new(environment.BootstrapServers, environment.Messaging, environment.Log.Write);
        _listener = Listen();
    }

    /// <summary>Produces <paramref name="events"/>, many in flight at once, and returns once the brokers have them all.</summary>
    public async Task PublishAsync(IEnumerable<PlannedEvent> events, int concurrency = 64)
    {
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (e, ct) => _acknowledged.Add(await _producer.ProduceAsync(e.Message, e.MessageId, ct).ConfigureAwait(false))).ConfigureAwait(false);
        await VerifyAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _unconfirmed, 0) is > 0 and var repeated)
            _environment.Log.Write($"[test] {repeated} records were acknowledged without an offset and produced again (this process)");
    }

    /// <summary>Counts what <see cref="KafkaDelivery"/> produced again while this publisher published, for the test's log
    /// (any producer of this process counts: the tests' producers share it).</summary>
    MeterListener Listen()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument == MessagingDiagnostics.DeliveriesUnconfirmed)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _unconfirmed, value));
        listener.Start();
        return listener;
    }

    /// <summary>Every acknowledged record has an offset of its own, and the domain topics' end offsets add up to them.</summary>
    async Task VerifyAsync()
    {
        var acknowledged = _acknowledged.ToList();
        var distinct = acknowledged.Select(o => (o.Topic, o.Partition.Value, o.Offset.Value)).Distinct().Count();
        using var admin = new AdminClientBuilder(KafkaClients.Admin(_environment.BootstrapServers)).SetLogHandler((_, _) => { }).Build();
        var partitions = acknowledged.Select(o => o.TopicPartition).Distinct().ToList();
        var ends = await GroupOffsets.EndsAsync(admin, partitions, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var held = ends.Values.Sum();
        if (distinct != acknowledged.Count || held != acknowledged.Count)
        {
            throw new InvalidOperationException($"The brokers acknowledged {acknowledged.Count} records at {distinct} distinct offsets " +
                $"({acknowledged.Count(o => o.Offset == Offset.Unset)} without an offset) and hold {held}: " +
                string.Join("; ", acknowledged.GroupBy(o => o.TopicPartition)
                    .Where(g => g.Count() != ends[g.Key] || g.Select(o => o.Offset.Value).Distinct().Count() != g.Count())
                    .Select(g => $"{g.Key} {g.Count()} acknowledged at {g.Select(o => o.Offset.Value).Distinct().Count()} offsets, end offset {ends[g.Key]}")));
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _producer.Dispose();
    }
}
