using System.Diagnostics;
using System.Text.Json;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Writes many outbox rows with one statement, in the caller's transaction, for the group-commit writers: a batch of
/// 500 charges is 1,000 events, which EF Core would insert as 1,000 tracked entities, each sending its generated sequence
/// back. The rows are inserted in list order, so their sequence (the relay's order) follows it, as with <see cref="IOutbox.Add"/>,
/// and the transaction's commit wakes the relay as it does for tracked rows (<see cref="OutboxSignalInterceptor"/>).</summary>
public static class OutboxBatch
{
    /// <summary>The outbox row of <paramref name="message"/>: its topic and partition key from the contract, its body, and the
    /// current trace context, so that the trace continues through the relay.</summary>
    public static OutboxMessage Row(object message, DateTimeOffset createdAt) => Row(message, RowId.New(), createdAt);

    /// <summary>The outbox row of <paramref name="message"/> under a message id of the caller's choosing (a message sent again
    /// under the id it already has, which the consumers' inbox must recognise).</summary>
    public static OutboxMessage Row(object message, Guid messageId, DateTimeOffset createdAt) => Row(message, messageId, createdAt, Activity.Current);

    /// <summary>The outbox row of <paramref name="message"/> under the trace context of <paramref name="activity"/> rather than
    /// the current one: a group-commit writer makes the rows of many callers, each under its own request's trace.</summary>
    public static OutboxMessage Row(object message, DateTimeOffset createdAt, Activity? activity) => Row(message, RowId.New(), createdAt, activity);

    static OutboxMessage Row(object message, Guid messageId, DateTimeOffset createdAt, Activity? activity)
    {
        ArgumentNullException.ThrowIfNull(message);
        var descriptor = MessageCatalog.Describe(message.GetType());
        return new OutboxMessage
        {
            Id = messageId,
            Topic = descriptor.Topic.Name,
            PartitionKey = descriptor.PartitionKeyOf(message),
            MessageType = descriptor.Type.FullName!,
            Body = JsonSerializer.Serialize(message, descriptor.Type, MessageJson.Options),
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
            CreatedAt = createdAt,
        };
    }

    /// <summary>Inserts <paramref name="rows"/> in the transaction open on <paramref name="db"/>; the relay is woken when it
    /// commits.</summary>
    public static Task<int> InsertAsync(MessagingDbContext db, IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
            return Task.FromResult(0);
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Outbox rows are inserted inside the transaction of the change that produced them; begin one first.");
        OutboxSignalInterceptor.MarkPending(db);

        if (db.Database.IsNpgsql())
        {
            var ids = rows.Select(r => r.Id).ToArray();
            var topics = rows.Select(r => r.Topic).ToArray();
            var keys = rows.Select(r => r.PartitionKey).ToArray();
            var types = rows.Select(r => r.MessageType).ToArray();
            var bodies = rows.Select(r => r.Body).ToArray();
            var parents = rows.Select(r => r.TraceParent).ToArray();
            var states = rows.Select(r => r.TraceState).ToArray();
            var created = rows.Select(r => r.CreatedAt).ToArray();
            return db.Database.ExecuteSqlAsync($"""
                INSERT INTO outbox_messages ("Id", "Topic", "PartitionKey", "MessageType", "Body", "TraceParent", "TraceState", "CreatedAt", "Attempts")
                SELECT i, t, k, m, b, p, s, c, 0
                FROM unnest({ids}, {topics}, {keys}, {types}, {bodies}, {parents}, {states}, {created}) WITH ORDINALITY AS r(i, t, k, m, b, p, s, c, o)
                ORDER BY o
                """, cancellationToken);
        }

        // SQLite: one JSON array of rows, stored as EF Core stores them (a GUID as upper-case text, a timestamp in binary form).
        var batch = JsonSerializer.Serialize(rows.Select(r => new object?[]
        {
            SqliteValues.Guid(r.Id), r.Topic, r.PartitionKey, r.MessageType, r.Body, r.TraceParent, r.TraceState,
            SqliteValues.Timestamp(r.CreatedAt),
        }));
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO outbox_messages ("Id", "Topic", "PartitionKey", "MessageType", "Body", "TraceParent", "TraceState", "CreatedAt", "Attempts")
            SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'),
                json_extract(value, '$[4]'), json_extract(value, '$[5]'), json_extract(value, '$[6]'), json_extract(value, '$[7]'), 0
            FROM json_each({batch}) ORDER BY key
            """, cancellationToken);
    }
}
