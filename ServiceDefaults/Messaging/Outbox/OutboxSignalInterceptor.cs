using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Signals the relay after a commit that wrote outbox rows: after SaveChanges when it ran its own transaction,
/// after the commit of an explicit transaction otherwise (before that the rows are invisible to the relay).</summary>
public sealed class OutboxSignalInterceptor(OutboxSignal signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Mark(eventData);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Mark(eventData);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        SignalIfCommitted(eventData);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        SignalIfCommitted(eventData);
        return result;
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData?.Context is { } context && Pending.Remove(context))
            signal.Notify();
    }

    // Contexts whose unit of work wrote outbox rows not yet signalled. Weak, so a context that never commits is not kept alive.
    static readonly ConditionalWeakTable<DbContext, object> Pending = [];

    /// <summary>Has the commit of <paramref name="context"/>'s open transaction wake the relay, for outbox rows written past
    /// the change tracker (<see cref="OutboxBatch"/>).</summary>
    internal static void MarkPending(DbContext context) => Pending.AddOrUpdate(context, context);

    static void Mark(DbContextEventData eventData)
    {
        if (eventData.Context is { } context
            && context.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
            Pending.AddOrUpdate(context, context);
    }

    void SignalIfCommitted(DbContextEventData eventData)
    {
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null && Pending.Remove(context))
            signal.Notify();
    }
}
