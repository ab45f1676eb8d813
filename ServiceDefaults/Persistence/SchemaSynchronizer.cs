using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Brings a database's schema up to the service's model on start, on SQLite and PostgreSQL alike, without the
/// migrations tooling (Microsoft.EntityFrameworkCore.Design cannot be restored here): missing tables are created with their
/// indexes, and columns and indexes the model gained are added. Changes that would lose data (drops, renames, type changes) are never
/// made automatically.</summary>
public static class SchemaSynchronizer
{
    public static async Task SynchronizeAsync(DbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        // Several instances may start at once against one database: whoever loses a race re-reads and finds it done.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SynchronizeOnceAsync(db, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    static async Task SynchronizeOnceAsync(DbContext db, CancellationToken cancellationToken)
    {
        await db.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false) ;
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        var existing = await ReadColumnsAsync(db, cancellationToken).ConfigureAwait(false);

        var wanted = db.GetService<IMigrationsModelDiffer>().GetDifferences(null, model);
        var operations = new List<MigrationOperation>(wanted.OfType<CreateTableOperation>().Where(t => !existing.ContainsKey(t.Name)));
        foreach (var table in wanted.OfType<CreateTableOperation>().Where(t => existing.ContainsKey(t.Name)))
        {
            foreach (var column in table.Columns.Where(c => !existing[table.Name].Contains(c.Name)))
                operations.Add(ToAddColumn(table.Name, column));
        }

        // After the tables and columns they cover: a new table's indexes and those the model gained on an existing one alike.
        var indexes = await ReadNamesAsync(db, db.Database.IsSqlite()
            ? "SELECT name FROM sqlite_master WHERE type = 'index'"
            : "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()", cancellationToken).ConfigureAwait(false);
        operations.AddRange(wanted.OfType<CreateIndexOperation>().Where(i => !indexes.Contains(i.Name)));

        if (operations.Count == 0)
            return;

        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(operations, db.GetService<IDesignTimeModel>().Model);
        await db.GetService<IMigrationCommandExecutor>()
            .ExecuteNonQueryAsync(commands, db.GetService<IRelationalConnection>(), cancellationToken).ConfigureAwait(false);
    }

    static AddColumnOperation ToAddColumn(string table, AddColumnOperation column)
    {
        column.Table = table;
        // A column added to a table that already has rows needs a value for them.
        if (!column.IsNullable && column.DefaultValue is null && column.DefaultValueSql is null)
            column.DefaultValue = column.ClrType.IsValueType ? Activator.CreateInstance(column.ClrType) : string.Empty;
        return column;
    }

    static async Task<Dictionary<string, HashSet<string>>> ReadColumnsAsync(DbContext db, CancellationToken cancellationToken)
    {
        var sql = db.Database.IsSqlite()
            ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
            : "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()";
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await ReadAsync(db, sql, reader =>
        {
            var table = reader.GetString(0);
            if (!result.TryGetValue(table, out var columns))
                result[table] = columns = new HashSet<string>(StringComparer.Ordinal);
            columns.Add(reader.GetString(1));
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    static async Task<HashSet<string>> ReadNamesAsync(DbContext db, string sql, CancellationToken cancellationToken)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        await ReadAsync(db, sql, reader => result.Add(reader.GetString(0)), cancellationToken).ConfigureAwait(false);
        return result;
    }

    static async Task ReadAsync(DbContext db, string sql, Action<DbDataReader> row, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        row(reader);
                }
            }
        }
        finally
        {
            if (opened)
                await connection.CloseAsync().ConfigureAwait(false);
        }
    }
}
