using System.Text.Json;
using Confluent.Kafka;
using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Log;
using ECommerce.DataPlatform.Projections;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Replay;

/// <summary>Computes the projections afresh from the retained log: every partition read from its earliest retained offset up
/// to the offset the live ingest has applied in it, each message id counted once, with the same <see cref="ProjectionDelta"/>
/// the live ingest uses. Over the same records that gives the same projections; the caller swaps them in. Records retention
/// has removed come from the event log, which keeps everything the live ingest applied. <c>keepLease</c> is called as it goes
/// (a long replay must not let the ingest lease expire); when it answers false the rebuild is abandoned (null).</summary>
public sealed class ProjectionRebuilder(DomainLog log, DataPlatformOptions options)
{
    /// <summary>Event log rows read between two lease checks.</summary>
    const int RowsPerLeaseCheck = 10_000;

    public async Task<(ProjectionDelta Projections, long RecordsRead)?> RebuildAsync(DataPlatformDbContext db,
        IReadOnlyDictionary<LogPartition, long> applied, Func<Task<bool>> keepLease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(keepLease);
        var delta = new ProjectionDelta();
        var seen = new HashSet<Guid>();
        var read = 0L;
        var targets = applied.Keys.ToList();
        var earliest = await log.EarliestOffsetsAsync(targets, cancellationToken).ConfigureAwait(false);
        // A partition whose applied records have all expired has nothing to read; its events are all in the event log.
        var retained = targets.Where(p => earliest[p] <= applied[p]).ToDictionary(p => p, p => applied[p]);
        if (retained.Count > 0 && !await ReadAsync(retained, keepLease, record =>
            {
                read++;
                if (seen.Add(record.MessageId))
                    delta.Apply(record.Message);
            }, cancellationToken).ConfigureAwait(false))
            return null;

        // Retention may have removed records while they were being read (the client then skips to the earliest still
        // retained): what lies below a partition's earliest offset now is taken from the event log, and anything read twice
        // is counted once.
        earliest = await log.EarliestOffsetsAsync(targets, cancellationToken).ConfigureAwait(false);
        var rows = 0;
        foreach (var partition in targets)
        {
            var floor = earliest[partition];
            var expired = db.Events.AsNoTracking()
                .Where(e => e.Topic == partition.Topic && e.Partition == partition.Partition && e.Offset < floor)
                .OrderBy(e => e.Offset).AsAsyncEnumerable();
            await foreach (var row in expired.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var type = LogRecordReader.ContractType(row.MessageType)
                    ?? throw new InvalidOperationException($"Event {row.MessageId} has unknown type {row.MessageType}.");
                if (seen.Add(row.MessageId))
                    delta.Apply(JsonSerializer.Deserialize(row.Payload, type, MessageJson.Options)!);
                if (++rows % RowsPerLeaseCheck == 0 && !await keepLease().ConfigureAwait(false))
                    return null;
            }
        }

        return (delta, read);
    }

    /// <summary>Reads every partition of <paramref name="targets"/> from its beginning through its target offset (in one
    /// client, all partitions at once); false when the lease was lost on the way.</summary>
    async Task<bool> ReadAsync(Dictionary<LogPartition, long> targets, Func<Task<bool>> keepLease, Action<LogRecord> apply,
        CancellationToken cancellationToken)
    {
        var remaining = new Dictionary<LogPartition, long>(targets);
        using var reader = log.Open(targets.Keys.Select(p => (p, Offset.Beginning)).ToList(), options.BatchSize * 2);
        var last = targets.Keys.ToDictionary(p => p, _ => -1L);
        while (remaining.Count > 0)
        {
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(options.ReplayIdleTimeout);
                try
                {
                    if (!await reader.Items.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                        throw new InvalidOperationException("The log reader stopped.");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException(
                        $"Nothing more arrived for {options.ReplayIdleTimeout}; the replay still had to reach "
                        + string.Join(", ", remaining.Select(r => $"{r.Key.Name} offset {r.Value} (read up to {last[r.Key]})")) + ".");
                }
            }

            while (remaining.Count > 0 && reader.Items.TryRead(out var item))
            {
                if (!remaining.TryGetValue(item.Partition, out var target))
                    continue;
                last[item.Partition] = item.Offset;
                if (item.Offset <= target && item.Record is { } record)
                    apply(record);
                if (item.Offset >= target)
                    remaining.Remove(item.Partition);
            }

            if (!await keepLease().ConfigureAwait(false))
                return false;
        }

        return true;
    }
}
