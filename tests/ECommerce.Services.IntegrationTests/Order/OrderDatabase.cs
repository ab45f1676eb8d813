using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>Reads the order service's tables with plain SQL from outside the service, on either provider (column names are the
/// entity property names on both).</summary>
public sealed class OrderDatabase(string connectionString)
{
    bool IsPostgreSql { get; } = connectionString.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    public Task<IReadOnlyList<OrderRow>> OrdersAsync() => QueryAsync(
        """SELECT "Id", "UserId", "UserCouponId", "Status", "FailureReason", "TotalAmount", "DiscountAmount", "PaidAmount" FROM orders""",
        r => new OrderRow(r.GetGuid(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
            Money(r, 5), Money(r, 6), Money(r, 7)));

    public Task<IReadOnlyList<OrderLineRow>> LinesAsync() => QueryAsync(
        """SELECT "OrderId", "ProductId", "Quantity" FROM order_lines""",
        r => new OrderLineRow(r.GetGuid(0), r.GetGuid(1), Convert.ToInt32(r.GetValue(2), null)));

    public async Task<IReadOnlyDictionary<Guid, int>> StockAsync() => (await QueryAsync(
            """SELECT "Id", "Stock" FROM products""", r => (Id: r.GetGuid(0), Stock: Convert.ToInt32(r.GetValue(1), null))).ConfigureAwait(false))
        .ToDictionary(p => p.Id, p => p.Stock);

    public Task<IReadOnlyList<string>> SagaStatesAsync() => QueryAsync("""SELECT "CurrentState" FROM order_sagas""", r => r.GetString(0));

    /// <summary>When each order was accepted and when it ended (null while pending), by the service's clock.</summary>
    public Task<IReadOnlyList<(Guid Id, string Status, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)>> TimingsAsync() => QueryAsync(
        """SELECT "Id", "Status", "CreatedAt", "FinishedAt" FROM orders""",
        r => (r.GetGuid(0), r.GetString(1), Timestamp(r, 2), r.IsDBNull(3) ? (DateTimeOffset?)null : Timestamp(r, 3)));

    public Task<long> PendingAsync() => ScalarAsync("""SELECT COUNT(*) FROM orders WHERE "Status" = 'Pending'""");

    public Task<long> CountAsync() => ScalarAsync("SELECT COUNT(*) FROM orders");

    public Task<long> OutboxBacklogAsync() => ScalarAsync("SELECT COUNT(*) FROM outbox_messages");

    public Task<long> DeadLettersAsync() => ScalarAsync("SELECT COUNT(*) FROM dead_letters");

    static decimal Money(DbDataReader reader, int ordinal) => Convert.ToDecimal(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

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

    /// <summary>PostgreSQL stores timestamptz; on SQLite the services store EF Core's DateTimeOffsetToBinaryConverter form
    /// (MessagingDbContext): ticks/1000 shifted left 11 bits, the offset in minutes in the low 11 bits.</summary>
    DateTimeOffset Timestamp(DbDataReader reader, int ordinal)
    {
        if (IsPostgreSql)
            return reader.GetFieldValue<DateTimeOffset>(ordinal);
        var packed = reader.GetInt64(ordinal);
        var offsetMinutes = (int)((packed << 53) >> 53);
        return new DateTimeOffset(new DateTime((packed >> 11) * 1000), TimeSpan.FromMinutes(offsetMinutes));
    }

    DbConnection Open() => IsPostgreSql
        ? new NpgsqlConnection(connectionString)
        : new SqliteConnection(connectionString + ";Default Timeout=30");
}
