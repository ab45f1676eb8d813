using System.Collections.Concurrent;
using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Restarts a receive endpoint of the group whose queue the broker reports without any consumer for
/// <see cref="MessagingOptions.ConsumerStallAfter"/>, while the broker answers.
/// <para>MassTransit reconnects its receive endpoints after a broker restart by itself, but not always: after a broker was
/// SIGKILLed with deliveries in flight, some of an order service's endpoints stayed without a consumer for minutes while the
/// broker was back, so the partitions behind them stopped while the rest of the service looked healthy. Whatever the cause,
/// the broker's consumer count tells the truth: a queue of ours that nobody consumes has its endpoint restarted here.</para>
/// <para>The threshold is longer than MassTransit's own reconnect back-off (at most 30 s between attempts), so an endpoint
/// that is still reconnecting is left alone. A queue another instance consumes (its active or standby consumer) is not
/// stalled — its partitions move on — so only a queue that nobody consumes counts. Only endpoints that were ready once are
/// watched: a standby partition is watched from when it is subscribed. If stopping a stalled endpoint itself hangs (seen:
/// its consumer waiting on a channel the RabbitMQ client still reported open after the broker died), it cannot be started
/// again in this process: the watchdog's liveness check (<c>/alive</c>) turns unhealthy, so that a supervisor that probes it
/// restarts the instance (the inbox and outbox make a restart safe).</para></summary>
public sealed partial class ReceiveEndpointWatchdog(
    GroupTopology topology,
    IQueueStatsReader stats,
    IOptions<MessagingOptions> options,
    TimeProvider clock,
    ILogger<ReceiveEndpointWatchdog> logger) : BackgroundService, IReceiveEndpointObserver, IHealthCheck
{
    readonly HashSet<string> _queues = topology.Queues
        .SelectMany(q => new[] { q.Queue, TopologyNames.ErrorQueue(q.Queue) })
        .ToHashSet(StringComparer.Ordinal);

    readonly ConcurrentDictionary<string, IReceiveEndpoint> _watched = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, bool> _unrecoverable = new(StringComparer.Ordinal);
    long _restarts;

    /// <summary>How long a stalled endpoint may take to stop before it is given up on.</summary>
    internal TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Endpoints restarted since the service started.</summary>
    public long Restarts => Interlocked.Read(ref _restarts);

    public Task Ready(ReceiveEndpointReady ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        var queue = TopologyNames.QueueOf(ready.InputAddress);
        if (_queues.Contains(queue))
            _watched[queue] = ready.ReceiveEndpoint;
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watch = options.Value;
        using var timer = new PeriodicTimer(watch.ConsumerWatchInterval, clock);
        var emptySince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await CheckAsync(emptySince, watch.ConsumerStallAfter, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over the watched queues; <paramref name="emptySince"/> remembers since when each was seen without a
    /// consumer, and forgets it as soon as one is seen, or when the broker cannot be asked. The stalled ones are restarted
    /// together: a broker crash tends to leave several behind at once, and each stop may take the whole stop timeout.</summary>
    internal async Task CheckAsync(Dictionary<string, DateTimeOffset> emptySince, TimeSpan stallAfter, CancellationToken cancellationToken)
    {
        var stalled = new List<(string Queue, IReceiveEndpoint Endpoint, TimeSpan For)>();
        foreach (var (queue, endpoint) in _watched)
        {
            QueueStats queueStats;
            try
            {
                queueStats = await stats.ReadAsync(queue, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The broker being unreachable is no evidence about a consumer: wait until it answers.
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                emptySince.Clear();
                return;
            }

            if (!queueStats.Exists || queueStats.Consumers is not 0)
            {
                emptySince.Remove(queue);
                continue;
            }

            var now = clock.GetUtcNow();
            if (!emptySince.TryGetValue(queue, out var since))
            {
                emptySince[queue] = now;
                continue;
            }

            if (now - since < stallAfter)
                continue;

            emptySince.Remove(queue);
            stalled.Add((queue, endpoint, now - since));
        }

        await Task.WhenAll(stalled.Select(s => RestartAsync(s.Queue, s.Endpoint, s.For, cancellationToken))).ConfigureAwait(false);
    }

    async Task RestartAsync(string queue, IReceiveEndpoint endpoint, TimeSpan stalled, CancellationToken cancellationToken)
    {
        LogRestarting(logger, queue, stalled.TotalSeconds);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StopTimeout);
        try
        {
            await endpoint.Stop(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStopHung(logger, queue, StopTimeout.TotalSeconds);
            _watched.TryRemove(queue, out _);
            _unrecoverable[queue] = true;
            return;
        }

        // The bus stops it again at shutdown, like every endpoint it started itself.
        endpoint.Start(CancellationToken.None);
        Interlocked.Increment(ref _restarts);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_unrecoverable.IsEmpty
            ? HealthCheckResult.Healthy($"{Restarts} receive endpoint restart(s)")
            : HealthCheckResult.Unhealthy($"No consumer on {string.Join(", ", _unrecoverable.Keys.Order(StringComparer.Ordinal))}, and the receive endpoint could not be restarted"));

    [LoggerMessage(LogLevel.Warning, "Queue {Queue} has had no consumer for {Seconds:0} s while the broker answers; restarting its receive endpoint")]
    static partial void LogRestarting(ILogger logger, string queue, double seconds);

    [LoggerMessage(LogLevel.Critical, "The stalled receive endpoint of {Queue} did not stop within {Seconds:0} s; reporting the service not alive so that its supervisor restarts it")]
    static partial void LogStopHung(ILogger logger, string queue, double seconds);
}
