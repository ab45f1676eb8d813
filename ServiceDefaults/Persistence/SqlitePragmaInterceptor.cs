using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>WAL lets readers run beside the single writer; synchronous=NORMAL is durable across process crashes in WAL mode
/// and avoids an fsync per commit.</summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
