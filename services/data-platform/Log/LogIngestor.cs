using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Events;
using ECommerce.DataPlatform.Projections;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.DataPlatform.Log;

/// <summary>Applies a batch of log items: the new events (a message id already in the log, or twice in the batch, is skipped),
/// what they add to the projections, poison records as dead letters, and each stream's new offset. Run it inside a
/// transaction with the lease check; it commits all of this or none of it.</summary>
public sealed class LogIngestor(TimeProvider clock)
{
    /// <summary>Returns how many new events the batch added.</summary>
    public async Task<int> ApplyAsync(DataPlatformDbContext db, IReadOnlyList<LogItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(items);
        var records = items.Where(i => i.Record is not null).Select(i => i.Record!).ToList();
        var now = clock.GetUtcNow();
        var distinct = new HashSet<Guid>();
        var candidates = records.Where(r => distinct.Add(r.MessageId)).ToList();
        var inserted = await EventTableWriter.AppendAsync(db, candidates.Select(record => new IngestedEvent
        {
            MessageId = record.MessageId,
            Topic = record.Stream.Topic,
            Partition = record.Stream.Partition,
            Offset = record.Offset,
            PartitionKey = record.Key,
            MessageType = record.Message.GetType().Name,
            Payload = record.Payload,
            TraceId = record.TraceId,
            SentAt = record.SentAt,
            IngestedAt = now,
        }).ToList(), cancellationToken).ConfigureAwait(false);

        var delta = new ProjectionDelta();
        foreach (var record in candidates.Where(r => inserted.Contains(r.MessageId)))
            delta.Apply(record.Message);

        await ProjectionStore.AddAsync(db, delta, cancellationToken).ConfigureAwait(false);

        foreach (var poison in items.Where(i => i.Poison is not null).Select(i => i.Poison!))
        {
            db.DeadLetters.Add(new DeadLetter
            {
                Id = RowId.New(),
                Queue = poison.Stream.Queue,
                MessageType = poison.MessageType,
                MessageId = poison.MessageId,
                Exception = $"{poison.Error} (offset {poison.Offset})",
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

    static async Task AdvanceOffsetsAsync(DataPlatformDbContext db, IReadOnlyList<LogItem> items, CancellationToken cancellationToken)
    {
        var last = items.GroupBy(i => i.Stream.Queue).ToDictionary(g => g.Key, g => g.Max(i => i.Offset), StringComparer.Ordinal);
        var names = last.Keys.ToList();
        var stored = await db.StreamOffsets.Where(o => names.Contains(o.Stream)).ToDictionaryAsync(o => o.Stream, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);
        foreach (var (stream, offset) in last)
        {
            if (!stored.TryGetValue(stream, out var row))
                db.StreamOffsets.Add(row = new StreamOffset { Stream = stream, Offset = offset });
            row.Offset = Math.Max(row.Offset, offset);
        }
    }
}
