using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Events;
using ECommerce.DataPlatform.Projections;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Log;

/// <summary>Applies a batch of log items: the new events (a message id already in the log, or twice in the batch, is skipped),
/// what they add to the projections, poison records as dead letters, and each partition's new offset. Run it inside a
/// transaction with the lease check; it commits all of this or none of it.</summary>
public sealed class LogIngestor(TimeProvider clock)
{
    /// <summary>Returns how many new events the batch added.</summary>
    public async Task<int> ApplyAsync(DataPlatformDbContext db, IReadOnlyList<LogItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(items);
        var now = clock.GetUtcNow();
        var distinct = new HashSet<Guid>();
        var candidates = items.Where(i => i.Record is not null && distinct.Add(i.Record.MessageId)).ToList();
        var inserted = await EventTableWriter.AppendAsync(db, candidates.Select(item => new IngestedEvent
        {
            MessageId = item.Record!.MessageId,
            Topic = item.Partition.Topic,
            Partition = item.Partition.Partition,
            Offset = item.Offset,
            PartitionKey = item.Record.Key,
            MessageType = item.Record.Message.GetType().Name,
            Payload = item.Record.Payload,
            TraceId = item.Record.TraceId,
            SentAt = item.Record.SentAt,
            IngestedAt = now,
        }).ToList(), cancellationToken).ConfigureAwait(false);

        var delta = new ProjectionDelta();
        foreach (var record in candidates.Select(i => i.Record!).Where(r => inserted.Contains(r.MessageId)))
            delta.Apply(record.Message);

        await ProjectionStore.AddAsync(db, delta, cancellationToken).ConfigureAwait(false);

        foreach (var (partition, offset, _, poison) in items.Where(i => i.Poison is not null))
        {
            db.DeadLetters.Add(new DeadLetter
            {
                Id = RowId.New(),
                // Where it sits: nothing can re-drive it into the log (the data platform has no retry topics); an operator
                // reads it here and discards it.
                Queue = partition.Name,
                MessageType = poison!.MessageType,
                MessageId = poison.MessageId,
                Exception = $"{poison.Error} ({partition.Name}, offset {offset})",
                FaultedAt = now,
                Payload = poison.Body,
                Headers = poison.Headers,
                ContentType = poison.ContentType,
            });
            MessagingDiagnostics.DeadLettersRecorded.Add(1);
        }

        await AdvanceOffsetsAsync(db, items, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return (int)delta.EventsIngested;
    }

    /// <summary>The offset of the last record applied, per partition that has one.</summary>
    public static Task<Dictionary<LogPartition, long>> AppliedOffsetsAsync(DataPlatformDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.PartitionOffsets.AsNoTracking().ToDictionaryAsync(o => new LogPartition(o.Topic, o.Partition), o => o.Offset, cancellationToken);
    }

    /// <summary>Each partition's position becomes the offset of its last record in the batch. Not the larger of that and the
    /// stored one: a partition's records come in offset order, and a partition whose offsets start over (the topic recreated)
    /// must be followed there.</summary>
    static async Task AdvanceOffsetsAsync(DataPlatformDbContext db, IReadOnlyList<LogItem> items, CancellationToken cancellationToken)
    {
        var last = new Dictionary<LogPartition, long>();
        foreach (var item in items)
            last[item.Partition] = item.Offset;
        // A row per partition of the domain topics: a few dozen, read whole rather than matched on a composite key.
        var stored = await db.PartitionOffsets.ToDictionaryAsync(o => new LogPartition(o.Topic, o.Partition), cancellationToken).ConfigureAwait(false);
        foreach (var (partition, offset) in last)
        {
            if (!stored.TryGetValue(partition, out var row))
                db.PartitionOffsets.Add(row = new PartitionOffset { Topic = partition.Topic, Partition = partition.Partition });
            row.Offset = offset;
        }
    }
}
