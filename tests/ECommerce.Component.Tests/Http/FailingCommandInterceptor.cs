using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.Component.Tests.Http;

/// <summary>Makes every database command whose text contains <paramref name="marker"/> fail with <paramref name="error"/>, as
/// an overloaded or unreachable database would: a query or SaveChanges (a reader) and a statement run for its row count alike.</summary>
public sealed class FailingCommandInterceptor(string marker, Exception error) : DbCommandInterceptor
{
    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        Matches(command) ? throw error : base.ReaderExecutingAsync(command, eventData, result, cancellationToken);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        Matches(command) ? throw error : base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);

    bool Matches(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.CommandText.Contains(marker, StringComparison.Ordinal);
    }
}
