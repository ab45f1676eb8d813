using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>The suite's own activity source and meter for what MassTransit does not trace: the outbox relay, the inbox,
/// dead letters.</summary>
public static class MessagingDiagnostics
{
    public const string Name = "ECommerce.Messaging";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    public static Counter<long> OutboxPublished { get; } = Meter.CreateCounter<long>("ecommerce.outbox.published", description: "Outbox rows published");

    public static Counter<long> OutboxFailures { get; } = Meter.CreateCounter<long>("ecommerce.outbox.failures", description: "Outbox publish attempts that failed");

    public static Counter<long> DeliveriesUnconfirmed { get; } = Meter.CreateCounter<long>("ecommerce.kafka.deliveries_unconfirmed",
        description: "Records the broker acknowledged without an offset, produced again (see KafkaDelivery)");

    public static Counter<long> DeadLettersRecorded { get; } = Meter.CreateCounter<long>("ecommerce.dead_letters.recorded", description: "Faulted messages stored");

    static long s_outboxBacklog;

    /// <summary>Observed at each metric export: the rows the relay last saw waiting (one relay per process).</summary>
    public static ObservableGauge<long> OutboxBacklog { get; } = Meter.CreateObservableGauge("ecommerce.outbox.backlog",
        () => Interlocked.Read(ref s_outboxBacklog), description: "Outbox rows waiting to be published");

    internal static void ReportOutboxBacklog(long backlog) => Interlocked.Exchange(ref s_outboxBacklog, backlog);
}
