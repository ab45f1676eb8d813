using System.Reflection;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>When the watchdog restarts a receive endpoint: only after its queue had no consumer for the whole stall window,
/// counted afresh whenever a consumer is seen or the broker cannot be asked; only for the group's own queues that were ready
/// once; and when the endpoint cannot even be stopped, the service reports itself not alive instead.</summary>
public sealed class ReceiveEndpointWatchdogTests
{
    static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(45);
    static readonly string Queue = TopologyNames.GroupQueue("ledger", Topics.BalanceActivity, 0);

    readonly Clock _clock = new();
    readonly Stats _stats = new();
    readonly Dictionary<string, DateTimeOffset> _emptySince = new(StringComparer.Ordinal);
    readonly ReceiveEndpointWatchdog _watchdog;

    public ReceiveEndpointWatchdogTests()
    {
        var options = new MessagingOptions { DefaultPartitions = 2, ConsumerStallAfter = StallAfter };
        var topology = new GroupTopology("ledger", options, [Topics.BalanceActivity], []);
        _watchdog = new ReceiveEndpointWatchdog(topology, _stats, Options.Create(options), _clock, NullLogger<ReceiveEndpointWatchdog>.Instance)
        {
            StopTimeout = TimeSpan.FromMilliseconds(100),
        };
    }

    [Fact]
    public async Task A_queue_without_a_consumer_for_the_whole_window_is_restarted_once()
    {
        var endpoint = await ReadyAsync(Queue);
        _stats.Consumers[Queue] = 0;

        await CheckAtAsync(TimeSpan.Zero);
        await CheckAtAsync(StallAfter - TimeSpan.FromSeconds(1));
        Assert.Equal((0, 0), (endpoint.Stops, endpoint.Starts));

        await CheckAtAsync(StallAfter);
        Assert.Equal((1, 1), (endpoint.Stops, endpoint.Starts));
        Assert.Equal(1, _watchdog.Restarts);

        // The restart begins a new window rather than restarting again on the next pass.
        await CheckAtAsync(StallAfter + TimeSpan.FromSeconds(5));
        Assert.Equal(1, endpoint.Starts);
        Assert.Equal(HealthStatus.Healthy, (await _watchdog.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task A_consumer_seen_in_between_starts_the_window_again()
    {
        var endpoint = await ReadyAsync(Queue);
        _stats.Consumers[Queue] = 0;
        await CheckAtAsync(TimeSpan.Zero);
        _stats.Consumers[Queue] = 1;
        await CheckAtAsync(TimeSpan.FromSeconds(30));
        _stats.Consumers[Queue] = 0;
        await CheckAtAsync(TimeSpan.FromSeconds(40));
        await CheckAtAsync(TimeSpan.FromSeconds(80));
        Assert.Equal(0, endpoint.Starts);

        await CheckAtAsync(TimeSpan.FromSeconds(85));
        Assert.Equal(1, endpoint.Starts);
    }

    [Fact]
    public async Task While_the_broker_cannot_be_asked_nothing_is_restarted_and_the_window_starts_again()
    {
        var endpoint = await ReadyAsync(Queue);
        _stats.Consumers[Queue] = 0;
        await CheckAtAsync(TimeSpan.Zero);
        _stats.Unreachable = true;
        await CheckAtAsync(TimeSpan.FromSeconds(50));
        await CheckAtAsync(TimeSpan.FromSeconds(300));
        _stats.Unreachable = false;
        await CheckAtAsync(TimeSpan.FromSeconds(301));
        Assert.Equal(0, endpoint.Starts);

        await CheckAtAsync(TimeSpan.FromSeconds(301) + StallAfter);
        Assert.Equal(1, endpoint.Starts);
    }

    [Fact]
    public async Task Only_the_groups_queues_that_were_ready_once_are_watched()
    {
        var busEndpoint = await ReadyAsync("host_bus_abc");
        var missingQueue = TopologyNames.GroupQueue("ledger", Topics.BalanceActivity, 1);
        _stats.Consumers["host_bus_abc"] = 0;
        _stats.Consumers[missingQueue] = 0;

        await CheckAtAsync(TimeSpan.Zero);
        await CheckAtAsync(StallAfter * 2);

        Assert.Equal(0, busEndpoint.Starts);
        Assert.DoesNotContain(_stats.Asked, q => q != Queue);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_stop_makes_the_service_not_alive()
    {
        var endpoint = await ReadyAsync(Queue);
        endpoint.StopHangs = true;
        _stats.Consumers[Queue] = 0;
        await CheckAtAsync(TimeSpan.Zero);

        await CheckAtAsync(StallAfter);

        Assert.Equal((1, 0), (endpoint.Stops, endpoint.Starts));
        var health = await _watchdog.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains(Queue, health.Description, StringComparison.Ordinal);

        // Given up on: not stopped again on later passes.
        await CheckAtAsync(StallAfter * 3);
        Assert.Equal(1, endpoint.Stops);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_stop_keeps_no_other_stalled_endpoint_from_being_restarted()
    {
        var other = TopologyNames.GroupQueue("ledger", Topics.BalanceActivity, 1);
        var hanging = await ReadyAsync(Queue);
        hanging.StopHangs = true;
        var healthy = await ReadyAsync(other);
        _stats.Consumers[Queue] = 0;
        _stats.Consumers[other] = 0;
        await CheckAtAsync(TimeSpan.Zero);

        await CheckAtAsync(StallAfter);

        Assert.Equal((1, 0), (hanging.Stops, hanging.Starts));
        Assert.Equal((1, 1), (healthy.Stops, healthy.Starts));
        var health = await _watchdog.CheckHealthAsync(new HealthCheckContext());
        Assert.Contains(Queue, health.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(other, health.Description, StringComparison.Ordinal);
    }

    async Task<FakeEndpoint> ReadyAsync(string queue)
    {
        var proxy = DispatchProxy.Create<IReceiveEndpoint, FakeEndpoint>();
        var endpoint = (FakeEndpoint)(object)proxy;
        endpoint.Address = new Uri($"rabbitmq://127.0.0.1/vhost/{queue}");
        await _watchdog.Ready(new Ready(endpoint.Address, proxy));
        return endpoint;
    }

    Task CheckAtAsync(TimeSpan at)
    {
        _clock.Now = Clock.Start + at;
        return _watchdog.CheckAsync(_emptySince, StallAfter, CancellationToken.None);
    }

    sealed class Clock : TimeProvider
    {
        public static readonly DateTimeOffset Start = new(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);

        public DateTimeOffset Now { get; set; } = Start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    sealed class Stats : IQueueStatsReader
    {
        public Dictionary<string, long> Consumers { get; } = new(StringComparer.Ordinal);

        public List<string> Asked { get; } = [];

        public bool Unreachable { get; set; }

        public Task<QueueStats> ReadAsync(string queue, CancellationToken cancellationToken)
        {
            Asked.Add(queue);
            if (Unreachable)
                throw new HttpRequestException("connection refused");
            return Task.FromResult(Consumers.TryGetValue(queue, out var consumers)
                ? new QueueStats(true, 0, 0, consumers)
                : new QueueStats(false, null, null, null));
        }
    }

    sealed record Ready(Uri InputAddress, IReceiveEndpoint ReceiveEndpoint) : ReceiveEndpointReady
    {
        public bool IsStarted => true;
    }

    /// <summary>Stands in for MassTransit's receive endpoint: counts stops and starts.</summary>
    internal class FakeEndpoint : DispatchProxy
    {
        public Uri Address { get; set; } = null!;

        public int Stops { get; private set; }

        public int Starts { get; private set; }

        public bool StopHangs { get; set; }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case "get_InputAddress":
                    return Address;
                case nameof(IReceiveEndpoint.Stop):
                    Stops++;
                    return StopHangs ? Task.Delay(Timeout.Infinite, (CancellationToken)args![0]!) : Task.CompletedTask;
                case nameof(IReceiveEndpoint.Start):
                    Starts++;
                    return null;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }
}
