using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Sagas.Persistence;

/// <summary>A saga repository on EF Core, built on MassTransit's repository abstractions. Each message is handled in one
/// database transaction of the scoped <typeparamref name="TDbContext"/>: the inbox row (a message applied once is skipped),
/// whatever the state machine's steps write through the same DbContext (stock, outbox rows) and the saga row, whose
/// <see cref="ISagaVersion.Version"/> is an optimistic concurrency token. Two messages of one saga handled at once on
/// different queues cannot both commit: the loser's update matches no row, throws, and the retry policy runs it again on
/// the winner's state.</summary>
public sealed class DbContextSagaRepositoryContextFactory<TSaga, TDbContext>(
    TDbContext db, ISagaConsumeContextFactory<TDbContext, TSaga> consumeContextFactory) :
    ISagaRepositoryContextFactory<TSaga>,
    ILoadSagaRepositoryContextFactory<TSaga>,
    IQuerySagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
    where TDbContext : MessagingDbContext
{
    static readonly string InboxName = typeof(TSaga).FullName!;

    // Compiled once: every message asks, before its transaction begins.
    static readonly Func<TDbContext, Guid, string, CancellationToken, Task<bool>> Handled = EF.CompileAsyncQuery(
        (TDbContext db, Guid messageId, string consumer, CancellationToken _) => db.InboxMessages.Any(m => m.MessageId == messageId && m.Consumer == consumer));

    public void Probe(ProbeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Add("persistence", "entityFrameworkCore");
        context.Add("dbContext", typeof(TDbContext).Name);
    }

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(next);
        return InTransactionAsync(context, repositoryContext => next.Send(repositoryContext));
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(next);
        return InTransactionAsync(context, async repositoryContext =>
        {
            var instances = await db.Set<TSaga>().Where(query.FilterExpression).ToListAsync(context.CancellationToken).ConfigureAwait(false);
            await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances)).ConfigureAwait(false);
        });
    }

    public Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new DbContextSagaReadContext<TSaga>(db, cancellationToken));
    }

    public Task<T> Execute<T>(Func<QuerySagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(asyncMethod);
        return asyncMethod(new DbContextSagaReadContext<TSaga>(db, cancellationToken));
    }

    async Task InTransactionAsync<T>(ConsumeContext<T> context, Func<DbContextSagaRepositoryContext<TSaga, T, TDbContext>, Task> handle)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(T).Name} arrived without a message id; the saga's inbox cannot deduplicate it.");
        var cancellationToken = context.CancellationToken;

        try
        {
            if (db.InBatch)
                await HandleAsync(context, messageId, handle, cancellationToken).ConfigureAwait(false);
            else
                await db.Database.CreateExecutionStrategy().ExecuteAsync(ct => HandleAsync(context, messageId, handle, ct), cancellationToken).ConfigureAwait(false);
        }
        // One record of several sharing a batch's transaction: a failure abandons them all, to be handled one by one.
        catch (Exception e) when (db.AbandonsBatch(e, cancellationToken))
        {
            throw new BatchAbortedException(e);
        }
    }

    async Task HandleAsync<T>(ConsumeContext<T> context, Guid messageId, Func<DbContextSagaRepositoryContext<TSaga, T, TDbContext>, Task> handle,
        CancellationToken ct)
        where T : class
    {
        // A retry starts from the database, never from what a failed attempt left in memory.
        db.ChangeTracker.Clear();
        // The transaction begins at the first write: the inbox check, the saga's load and the state machine's decisions
        // run before it (on SQLite, outside the one write lock). Every write is guarded — the saga row by its version,
        // stock by its conditional update, the inbox row by its key — so a message that raced another for the same saga
        // fails its save and runs again from the database.
        await db.BeginUnitOfWorkAsync(ct).ConfigureAwait(false);
        try
        {
            if (await Handled(db, messageId, InboxName, ct).ConfigureAwait(false))
                return;

            db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = InboxName, ProcessedAt = DateTimeOffset.UtcNow });
            using var repositoryContext = new DbContextSagaRepositoryContext<TSaga, T, TDbContext>(db, context, consumeContextFactory);
            await handle(repositoryContext).ConfigureAwait(false);
            // Saves what the pipe left unsaved: the inbox row of a message that found no saga, rows of a discarded one.
            await db.CommitUnitOfWorkAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await db.EndUnitOfWorkAsync().ConfigureAwait(false);
        }
    }
}
