using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Makes the relay fail at the worst moment: its publishes have been confirmed by the broker, but the statement that
/// deletes the confirmed rows never runs — what a crash between the two leaves behind.</summary>
public sealed class CrashBeforeDeletingInterceptor : DbCommandInterceptor
{
    readonly TaskCompletionSource _crashed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the first time the relay tried to delete confirmed rows.</summary>
    public Task Crashed => _crashed.Task;

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        FailIfDeleting(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        FailIfDeleting(command);
        return ValueTask.FromResult(result);
    }

    void FailIfDeleting(DbCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var sql = command.CommandText;
        if (sql.Contains("DELETE", StringComparison.OrdinalIgnoreCase) && sql.Contains("outbox_messages", StringComparison.Ordinal))
        {
            _crashed.TrySetResult();
            throw new InvalidOperationException("Simulated crash after publishing, before the confirmed rows were deleted.");
        }
    }
}
