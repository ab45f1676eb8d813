using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>Reads the coupon service's tables with plain SQL, from outside the service, on either provider. The service's
/// DbContext is not reused: it lives in a web application assembly, and reading the rows as stored is what an assertion
/// about the database should do. Column names are the entity property names (EF Core's default on both providers), so one
/// quoted SQL text serves both.</summary>
public sealed class CouponDatabase(string connectionString)
{
    const string RequestedType = "ECommerce.Contracts.Coupons.CouponIssueRequested";

    public bool IsPostgreSql { get; } = connectionString.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    public Task<IReadOnlyList<IssueRequestRow>> IssueRequestsAsync() => QueryAsync(
        """SELECT "Id", "CouponId", "UserId", "Position", "Status", "Reason", "UserCouponId", "IdempotencyKey", "AcceptedAt", "DecidedAt" FROM issue_requests""",
        r => new IssueRequestRow(r.GetGuid(0), r.GetGuid(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4),
            r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetGuid(6), r.IsDBNull(7) ? null : r.GetString(7),
            Timestamp(r, 8), r.IsDBNull(9) ? null : Timestamp(r, 9)));

    public Task<IReadOnlyList<CouponRow>> CouponsAsync() => QueryAsync(
        """SELECT "Id", "TotalQuantity", "IssuedQuantity", "DecidedCount" FROM coupons""",
        r => new CouponRow(r.GetGuid(0), Convert.ToInt32(r.GetValue(1), null), Convert.ToInt32(r.GetValue(2), null), Convert.ToInt64(r.GetValue(3), null)));

    public Task<IReadOnlyList<UserCouponRow>> UserCouponsAsync() => QueryAsync(
        """SELECT "Id", "CouponId", "UserId" FROM user_coupons""",
        r => new UserCouponRow(r.GetGuid(0), r.GetGuid(1), r.GetInt64(2)));

    /// <summary>Requests accepted so far, and how many of them are still undecided.</summary>
    public async Task<(long Accepted, long Pending)> RequestProgressAsync() =>
        (await ScalarAsync("SELECT COUNT(*) FROM issue_requests").ConfigureAwait(false), await PendingAsync().ConfigureAwait(false));

    /// <summary>Requests accepted and not yet decided.</summary>
    public Task<long> PendingAsync() => ScalarAsync("""SELECT COUNT(*) FROM issue_requests WHERE "Status" = 'Pending'""");

    public Task<long> OutboxBacklogAsync() => ScalarAsync("SELECT COUNT(*) FROM outbox_messages");

    public Task<long> DeadLettersAsync() => ScalarAsync("SELECT COUNT(*) FROM dead_letters");

    /// <summary>The message id of every dead letter, one entry per row (a message recorded twice appears twice).</summary>
    public Task<IReadOnlyList<Guid>> DeadLetterMessageIdsAsync() => QueryAsync("""SELECT "MessageId" FROM dead_letters WHERE "MessageId" IS NOT NULL""", r => r.GetGuid(0));

    /// <summary>Each dead letter's message id with the time of the failure that dead-lettered it.</summary>
    public Task<IReadOnlyList<(Guid MessageId, DateTimeOffset FaultedAt)>> DeadLetterFaultsAsync() => QueryAsync(
        """SELECT "MessageId", "FaultedAt" FROM dead_letters WHERE "MessageId" IS NOT NULL""", r => (r.GetGuid(0), Timestamp(r, 1)));

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
        // Readers do not block the service's writer in WAL mode, but a checkpoint can hold them for a moment: wait, not fail.
        : new SqliteConnection(connectionString + ";Default Timeout=30");

    /// <summary>PostgreSQL stores timestamptz; the services store a SQLite DateTimeOffset as EF Core's
    /// DateTimeOffsetToBinaryConverter does (MessagingDbContext): ticks/1000 shifted left 11 bits, the offset in minutes in the
    /// low 11 bits — so SQLite can order by it.</summary>
    DateTimeOffset Timestamp(DbDataReader reader, int ordinal)
    {
        if (IsPostgreSql)
            return reader.GetFieldValue<DateTimeOffset>(ordinal);
        var packed = reader.GetInt64(ordinal);
        var offsetMinutes = (int)((packed << 53) >> 53);
        return new DateTimeOffset(new DateTime((packed >> 11) * 1000), TimeSpan.FromMinutes(offsetMinutes));
    }
}
