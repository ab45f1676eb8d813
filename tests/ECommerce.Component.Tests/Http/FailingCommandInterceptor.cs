using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.Component.Tests.Http;

/// <summary>Makes every database command whose text contains <paramref name="marker"/> fail with <paramref name="error"/>, as
/// an overloaded or unreachable database would.</summary>
public sealed class FailingCommandInterceptor(string marker, Exception error) : DbCommandInterceptor
{
    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.CommandText.Contains(marker, StringComparison.Ordinal)
            ? throw error
            : base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}
