using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Lets one write transaction at a time at the SQLite database, in the order they asked, instead of letting them race
/// for its write lock.
/// <para>SQLite has one writer at a time; every transaction here begins with BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default),
/// which takes the write lock. A transaction that finds it taken is handed to SQLite's busy handler, which does not queue: it
/// sleeps 1, 2, 5, 10… up to 100 ms and tries again. Under load (HTTP writes, several partitions' consumers and the outbox relay
/// of one service) the lock is free most of the time while every contender sleeps, and a transaction can lose the race again
/// and again. Taking an in-process async gate before BEGIN turns that into a queue: the next transaction starts the moment the
/// previous one ends, and no thread sleeps. SQLite's own lock still decides between processes, and stays the guarantee.</para>
/// <para>The gate is held from the transaction's start until it commits, rolls back or fails, or its connection closes (a
/// transaction disposed without either). A write statement outside any transaction (ExecuteUpdate, ExecuteDelete) holds it
/// for that statement. Waiting is bounded: a transaction that has waited <see cref="MaxWait"/> goes ahead without the gate
/// (to SQLite's lock, as without the gate), so a gate never left by mistake can slow writes but never stop them.</para>
/// </summary>
internal sealed class SqliteWriteGate : DbConnectionInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
{
    static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    readonly SemaphoreSlim _gate = new(1, 1);
    readonly ConditionalWeakTable<DbContext, Holder> _holders = new();
    readonly ConditionalWeakTable<DbCommand, Holder> _statements = new();

    /// <summary>No transaction or statement holds the gate.</summary>
    internal bool IsFree => _gate.CurrentCount == 1;

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context && await _gate.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false))
            Hold(context);
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context && _gate.Wait(MaxWait))
            Hold(context);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData?.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData?.Context);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    // Failing to begin, commit or roll back ends the transaction's claim: whatever state SQLite is in, its own lock rules it.
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Leave(eventData?.Context);

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(eventData?.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Leave(eventData?.Context);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsLoneStatement(command, eventData) && await _gate.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false))
            _statements.AddOrUpdate(command, new Holder());
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsLoneStatement(command, eventData) && _gate.Wait(MaxWait))
            _statements.AddOrUpdate(command, new Holder());
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return ValueTask.FromResult(result);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        EndStatement(command);
        return result;
    }

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return Task.CompletedTask;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => EndStatement(command);

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => EndStatement(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        EndStatement(command);
        return Task.CompletedTask;
    }

    /// <summary>A write statement of its own (its own implicit transaction), from a context not already holding the gate.</summary>
    bool IsLoneStatement(DbCommand command, CommandEventData eventData) =>
        command.Transaction is null && !(eventData.Context is { } context && _holders.TryGetValue(context, out _));

    void Hold(DbContext context) => _holders.AddOrUpdate(context, new Holder());

    void Leave(DbContext? context)
    {
        if (context is not null && _holders.Remove(context))
            _gate.Release();
    }

    void EndStatement(DbCommand command)
    {
        if (_statements.Remove(command))
            _gate.Release();
    }

    sealed class Holder;
}
