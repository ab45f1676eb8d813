using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>Reads the balance service's tables with plain SQL, from outside the service, on either provider.</summary>
public sealed class BalanceDatabase(string connectionString)
{
    public bool IsPostgreSql { get; } = connectionString.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    public Task<IReadOnlyList<EntryRow>> EntriesAsync() => QueryAsync(
        "SELECT user_id, sequence, type, amount_cents, balance_after_cents, order_id FROM balance_entries",
        r => new EntryRow(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetGuid(5)));

    public Task<IReadOnlyList<(long UserId, long BalanceCents, long Sequence)>> AccountsAsync() => QueryAsync(
        "SELECT user_id, balance_cents, sequence FROM balance_accounts",
        r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));

    /// <summary>Orders whose deduction was refused, with the reason.</summary>
    public Task<IReadOnlyList<(Guid OrderId, string Reason)>> DecisionsAsync() => QueryAsync(
        "SELECT order_id, reason FROM deduction_decisions",
        r => (r.GetGuid(0), r.GetString(1)));

    /// <summary>Deduct commands decided so far: deducted entries plus refusals.</summary>
    public async Task<long> DecidedDeductsAsync() =>
        await ScalarAsync("SELECT COUNT(*) FROM balance_entries WHERE type = 'Deducted'").ConfigureAwait(false)
        + await ScalarAsync("SELECT COUNT(*) FROM deduction_decisions").ConfigureAwait(false);

    public Task<long> OutboxBacklogAsync() => ScalarAsync("SELECT COUNT(*) FROM outbox_messages");

    public Task<long> DeadLettersAsync() => ScalarAsync("SELECT COUNT(*) FROM dead_letters");

    async Task<long> ScalarAsync(string sql)
    {
        var connection = Open();
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), null);
            }
        }
    }

    async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map)
    {
        var rows = new List<T>();
        var connection = Open();
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync().ConfigureAwait(false))
                        rows.Add(map(reader));
                }
            }
        }

        return rows;
    }

    DbConnection Open() => IsPostgreSql
        ? new NpgsqlConnection(connectionString)
        : new SqliteConnection(connectionString + ";Default Timeout=30");
}
