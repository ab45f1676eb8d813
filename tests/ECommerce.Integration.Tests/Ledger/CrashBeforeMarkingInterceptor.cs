using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Makes the relay fail at the worst moment: its publishes have been confirmed by the broker, but the statement that
/// marks the rows sent never runs — what a crash between the two leaves behind.</summary>
public sealed class CrashBeforeMarkingInterceptor : DbCommandInterceptor
{
    readonly TaskCompletionSource _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the first time the relay tried to mark rows sent.</summary>
    public Task Crashed => _crashed.Task;

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        FailIfMarking(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        FailIfMarking(command);
        return ValueTask.FromResult(result);
    }

    void FailIfMarking(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sql = command.CommandText;
        if (sql.Contains("UPDATE", StringComparison.OrdinalIgnoreCase)
            && sql.Contains("outbox_messages", StringComparison.Ordinal)
            && sql.Contains("\"SentAt\"", StringComparison.Ordinal))
        {
            _crashed.TrySetResult();
            throw new InvalidOperationException("Simulated crash after publishing, before the rows were marked sent.");
        }
    }
}
