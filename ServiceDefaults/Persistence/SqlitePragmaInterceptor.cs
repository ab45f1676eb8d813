using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>WAL lets readers run beside the single writer; synchronous=NORMAL is durable across process crashes in WAL mode
/// and avoids an fsync per commit. A page cache larger than SQLite's 2 MB (per connection) is for transactions that touch many
/// pages: when their dirty pages outgrow the cache, SQLite writes them out mid-transaction and reads them back.</summary>
internal sealed class SqlitePragmaInterceptor(int? cacheMiB = null) : DbConnectionInterceptor
{
    readonly string _pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
        + (cacheMiB is { } mib ? $" PRAGMA cache_size=-{mib * 1024};" : string.Empty);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
