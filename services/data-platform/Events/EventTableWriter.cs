using System.Data.Common;
using System.Text;
using ECommerce.DataPlatform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ECommerce.DataPlatform.Events;

/// <summary>Appends events to the event table with <c>INSERT … ON CONFLICT (message id) DO NOTHING RETURNING</c> statements on the
/// context's connection and transaction. Change tracking and one statement per row cost about a quarter of a millisecond per
/// event, most of the ingest's time; this costs a few microseconds. The conflict clause makes the unique index the
/// deduplication, so no lookup precedes the insert. Table, column names and value conversions come from the EF model, so what
/// it writes reads back through EF exactly as if EF had written it (on SQLite as on PostgreSQL).</summary>
public static class EventTableWriter
{
    /// <summary>Rows per statement on PostgreSQL: fewer round trips, 10 parameters a row stays far below its limit.</summary>
    const int RowsPerServerStatement = 200;

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

        var head = $"INSERT INTO {tableName} ({columnList}) VALUES ";
        var tail = $" ON CONFLICT ({messageIdColumn}) DO NOTHING RETURNING {messageIdColumn}";
        var rows = new RowWriter(db, properties, mappings, sql, inserted);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (db.Database.IsSqlite())
                await rows.InsertOneByOneAsync(events, head, tail, cancellationToken).ConfigureAwait(false);
            else
                await rows.InsertManyAtOnceAsync(events, head, tail, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        return inserted;
    }

    sealed class RowWriter(DataPlatformDbContext db, IProperty[] properties, RelationalTypeMapping[] mappings, ISqlGenerationHelper sql,
        HashSet<Guid> inserted)
    {
        readonly DbConnection _connection = db.Database.GetDbConnection();
        readonly DbTransaction? _transaction = db.Database.CurrentTransaction?.GetDbTransaction();

        /// <summary>SQLite runs in process, so a statement per row costs no round trip, and one statement prepared once and run
        /// for every row is the cheapest: the client binds each parameter by looking its name up among all of the statement's,
        /// which made multi-row statements cost with the square of their rows (a seventh of the ingest's CPU at 8 rows).</summary>
        public async Task InsertOneByOneAsync(IReadOnlyList<IngestedEvent> events, string head, string tail, CancellationToken cancellationToken)
        {
            await using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            var names = properties.Select((_, column) => sql.GenerateParameterNamePlaceholder($"p{column}")).ToArray();
            command.CommandText = $"{head}({string.Join(", ", names)}){tail}";
            foreach (var e in events)
            {
                command.Parameters.Clear();
                Bind(command, ValuesOf(e), names);
                await ReadInsertedAsync(command, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>PostgreSQL: a round trip per statement, so many rows a statement.</summary>
        public async Task InsertManyAtOnceAsync(IReadOnlyList<IngestedEvent> events, string head, string tail, CancellationToken cancellationToken)
        {
            foreach (var chunk in events.Chunk(RowsPerServerStatement))
            {
                await using var command = _connection.CreateCommand();
                command.Transaction = _transaction;
                var text = new StringBuilder(head);
                for (var row = 0; row < chunk.Length; row++)
                {
                    var names = properties.Select((_, column) => sql.GenerateParameterNamePlaceholder($"p{row}_{column}")).ToArray();
                    Bind(command, ValuesOf(chunk[row]), names);
                    text.Append(row == 0 ? "(" : ", (").AppendJoin(", ", names).Append(')');
                }

                command.CommandText = text.Append(tail).ToString();
                await ReadInsertedAsync(command, cancellationToken).ConfigureAwait(false);
            }
        }

        void Bind(DbCommand command, object?[] values, string[] names)
        {
            for (var column = 0; column < values.Length; column++)
                command.Parameters.Add(mappings[column].CreateParameter(command, names[column], values[column], properties[column].IsNullable));
        }

        async Task ReadInsertedAsync(DbCommand command, CancellationToken cancellationToken)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                inserted.Add(reader.GetFieldValue<Guid>(0));
        }
    }

    static object?[] ValuesOf(IngestedEvent e) =>
        [e.MessageId, e.Topic, e.Partition, e.Offset, e.PartitionKey, e.MessageType, e.Payload, e.TraceId, e.SentAt, e.IngestedAt];
}
