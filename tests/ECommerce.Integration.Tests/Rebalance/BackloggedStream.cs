using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;

namespace ECommerce.Integration.Tests.Rebalance;

/// <summary>Records flowing for as long as a test needs: a round of every key at a time (the next charge of each), never more
/// than a backlog ahead of the consumers, so that the partitions always hold records when the group changes.</summary>
public sealed class BackloggedStream : IAsyncDisposable
{
    readonly TestEnvironment _environment;
    readonly DeliveryLog _deliveries;
    readonly int _backlog;
    readonly List<Guid> _produced = [];
    readonly CancellationTokenSource _stop = new();
    readonly Task _run;
    int _rounds;

    BackloggedStream(TestEnvironment environment, DeliveryLog deliveries, int keys, int backlog)
    {
        _environment = environment;
        _deliveries = deliveries;
        Keys = keys;
        _backlog = backlog;
        _run = ProduceAsync();
    }

    public int Keys { get; }

    /// <summary>Rounds produced (and acknowledged) so far: each key's last sequence number.</summary>
    public int Rounds => Volatile.Read(ref _rounds);

    /// <summary>The message ids produced so far.</summary>
    public IReadOnlyList<Guid> Produced
    {
        get
        {
            lock (_produced)
                return [.. _produced];
        }
    }

    public static BackloggedStream Start(TestEnvironment environment, DeliveryLog deliveries, int keys, int backlog)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(deliveries);
        return new BackloggedStream(environment, deliveries, keys, backlog);
    }

    /// <summary>Stops after the round in hand; throws what producing threw.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }
    }

    async Task ProduceAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            int count;
            lock (_produced)
                count = _produced.Count;
            if (count - _deliveries.Total >= _backlog)
            {
                await Task.Delay(10).ConfigureAwait(false);
                continue;
            }

            var next = Rounds + 1;
            var ids = await SequencingHosts.ProduceRoundsAsync(_environment, Keys, next, next).ConfigureAwait(false);
            lock (_produced)
                _produced.AddRange(ids);
            Interlocked.Increment(ref _rounds);
        }
    }
}
