using System.Diagnostics.Metrics;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Ops;

/// <summary>Consumer lag per group, topic and partition and the number of dead letters, as OpenTelemetry gauges (so the
/// Aspire dashboard's Metrics page charts them beside the outbox backlog). A gauge's callback must not wait on the broker or
/// the database, so both are sampled here every <see cref="MessagingOptions.OpsSampleInterval"/> and the gauges report the
/// latest sample.</summary>
internal sealed partial class OpsMetrics : BackgroundService
{
    readonly IServiceScopeFactory _scopes;
    readonly IConsumerLagReader _lag;
    readonly MessagingOptions _options;
    readonly ILogger<OpsMetrics> _logger;
    readonly IKafkaRiderAccessor _rider;
    volatile IReadOnlyList<Measurement<long>> _lagSample = [];
    long _deadLetters;

    /// <param name="meters">The gauges live on a meter of this host's (disposed with it), not on a static one: a process that
    /// runs several hosts (a test) would otherwise keep observing the stopped ones.</param>
    public OpsMetrics(IServiceScopeFactory scopes, IConsumerLagReader lag, IOptions<MessagingOptions> options, IMeterFactory meters,
        IKafkaRiderAccessor rider, ILogger<OpsMetrics> logger)
    {
        _rider = rider;
        ArgumentNullException.ThrowIfNull(meters);
        _scopes = scopes;
        _lag = lag;
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create(MessagingDiagnostics.Name);
        meter.CreateObservableGauge("ecommerce.consumer.lag", () => _lagSample, unit: "{message}",
            description: "Messages of a partition the consumer group has yet to consume");
        meter.CreateObservableGauge("ecommerce.dead_letters", () => Interlocked.Read(ref _deadLetters), unit: "{message}",
            description: "Faulted messages waiting in the dead-letter store to be re-driven or discarded");
        meter.CreateObservableGauge("ecommerce.consumer.partitions_owned", OwnedPartitions, unit: "{partition}",
            description: "The partitions this instance's consumer owns now (1 per owned partition)");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.OpsSampleInterval);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A broker or database that does not answer now is sampled again at the next tick.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSampleFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    async Task SampleAsync(CancellationToken cancellationToken)
    {
        var lag = await _lag.ReadAsync(cancellationToken).ConfigureAwait(false);
        _lagSample = lag.Where(l => l.Ready is not null).Select(l => new Measurement<long>(l.Ready!.Value, Tags(l.Group, l.Topic, l.Partition))).ToList();

        await using var scope = _scopes.CreateAsyncScope();
        var deadLetters = scope.ServiceProvider.GetRequiredService<DeadLetterService>();
        Interlocked.Exchange(ref _deadLetters, await deadLetters.CountAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>1 for each partition this instance owns now: beside other instances' series it shows who owns what.</summary>
    IEnumerable<Measurement<int>> OwnedPartitions() =>
        _rider.Groups.SelectMany(g => g.Assignment.Select(p => new Measurement<int>(1, Tags(g.Group, p.Topic, p.Partition))));

    static KeyValuePair<string, object?>[] Tags(string group, string topic, int? partition) =>
    [
        new("messaging.consumer.group.name", group),
        new("messaging.destination.name", topic),
        new("messaging.destination.partition.id", partition?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"),
    ];

    [LoggerMessage(LogLevel.Debug, "Could not sample consumer lag and dead letters")]
    static partial void LogSampleFailed(ILogger logger, Exception exception);
}
