using System.Text;
using ECommerce.DataPlatform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ECommerce.DataPlatform.Events;

/// <summary>Appends events to the event table with multi-row <c>INSERT … ON CONFLICT (message id) DO NOTHING RETURNING</c>
/// statements on the context's connection and transaction. Change tracking and one statement per row cost about a quarter of
/// a millisecond per event, most of the ingest's time; this costs a few microseconds. The conflict clause makes the unique
/// index the deduplication, so no lookup precedes the insert. Table, column names and value conversions come from the EF
/// model, so what it writes reads back through EF exactly as if EF had written it (on SQLite as on PostgreSQL).</summary>
public static class EventTableWriter
{
    /// <summary>Rows per statement on PostgreSQL: fewer round trips, 10 parameters a row stays far below its limit.</summary>
    const int RowsPerServerStatement = 200;

    /// <summary>Rows per statement on SQLite, in process (no round trip to save) and slow to bind many parameters: the client
    /// looks each parameter up by name among all of the statement's, so the cost grows with the square of their number.</summary>
    const int RowsPerEmbeddedStatement = 8;

    static readonly string[] Columns =
    [
        nameof(IngestedEvent.MessageId), nameof(IngestedEvent.Topic), nameof(IngestedEvent.Partition), nameof(IngestedEvent.Offset),
        nameof(IngestedEvent.PartitionKey), nameof(IngestedEvent.MessageType), nameof(IngestedEvent.Payload), nameof(IngestedEvent.TraceId),
        nameof(IngestedEvent.SentAt), nameof(IngestedEvent.IngestedAt),
    ];

    /// <summary>Inserts the events whose message id the table does not hold yet, in the given order (so their sequence numbers
    /// follow it), and returns the message ids it inserted. Events must have distinct message ids.</summary>
    public static async Task<HashSet<Guid>> AppendAsync(DataPlatformDbContext db, IReadOnlyList<IngestedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(events);
        var inserted = new HashSet<Guid>();
        if (events.Count == 0)
            return inserted;

        var entity = db.Model.FindEntityType(typeof(IngestedEvent)) ?? throw new InvalidOperationException("IngestedEvent is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = Columns.Select(c => entity.FindProperty(c)!).ToArray();
        var mappings = properties.Select(p => p.GetRelationalTypeMapping()).ToArray();
        var columnList = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var messageIdColumn = sql.DelimitIdentifier(properties[0].GetColumnName(table)!);
        var tableName = sql.DelimitIdentifier(table.Name, table.Schema);

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await InsertAsync(db, events, properties, mappings, sql, $"INSERT INTO {tableName} ({columnList}) VALUES ",
                $" ON CONFLICT ({messageIdColumn}) DO NOTHING RETURNING {messageIdColumn}", inserted, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        return inserted;
    }

    static async Task InsertAsync(DataPlatformDbContext db, IReadOnlyList<IngestedEvent> events, IProperty[] properties,
        RelationalTypeMapping[] mappings, ISqlGenerationHelper sql, string head, string tail, HashSet<Guid> inserted, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var rowsPerStatement = db.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true
            ? RowsPerEmbeddedStatement
            : RowsPerServerStatement;
        foreach (var chunk in events.Chunk(rowsPerStatement))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var text = new StringBuilder(head);
            for (var row = 0; row < chunk.Length; row++)
            {
                text.Append(row == 0 ? "(" : ", (");
                var values = ValuesOf(chunk[row]);
                for (var column = 0; column < values.Length; column++)
                {
                    var name = $"p{row}_{column}";
                    command.Parameters.Add(mappings[column].CreateParameter(command, name, values[column], properties[column].IsNullable));
                    text.Append(column == 0 ? string.Empty : ", ").Append(sql.GenerateParameterNamePlaceholder(name));
                }

                text.Append(')');
            }

            text.Append(tail);
            command.CommandText = text.ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                inserted.Add(reader.GetFieldValue<Guid>(0));
        }
    }

    static object?[] ValuesOf(IngestedEvent e) =>
        [e.MessageId, e.Topic, e.Partition, e.Offset, e.PartitionKey, e.MessageType, e.Payload, e.TraceId, e.SentAt, e.IngestedAt];
}
