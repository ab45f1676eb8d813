using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.Order.Sagas.Persistence;

/// <summary>One message's view of the saga table, inside the transaction <see cref="DbContextSagaRepositoryContextFactory{TSaga,TDbContext}"/>
/// opened. Saves happen inside that transaction; the factory commits.</summary>
public sealed class DbContextSagaRepositoryContext<TSaga, TMessage, TDbContext>(
    TDbContext db, ConsumeContext<TMessage> context, ISagaConsumeContextFactory<TDbContext, TSaga> factory) :
    ConsumeContextScope<TMessage>(context),
    SagaRepositoryContext<TSaga, TMessage>,
    IDisposable
    where TSaga : class, ISagaVersion
    where TMessage : class
    where TDbContext : MessagingDbContext
{
    static readonly Func<TDbContext, Guid, CancellationToken, Task<TSaga?>> ById = EF.CompileAsyncQuery(
        (TDbContext db, Guid correlationId, CancellationToken _) => db.Set<TSaga>().SingleOrDefault(s => s.CorrelationId == correlationId));

    readonly ConsumeContext<TMessage> _context = context;

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance)
    {
        db.Set<TSaga>().Add(instance);
        return factory.CreateSagaConsumeContext(db, _context, instance, SagaConsumeContextMode.Add);
    }

    /// <summary>Inserts ahead of handling (a policy with insert-on-initial); null when the saga already exists, so the caller
    /// loads it instead. The failed insert rolls back to the savepoint EF Core takes inside an open transaction.</summary>
    public async Task<SagaConsumeContext<TSaga, TMessage>?> Insert(TSaga instance)
    {
        var entry = db.Set<TSaga>().Add(instance);
        try
        {
            await db.SaveChangesAsync(CancellationToken).ConfigureAwait(false);
        }
        // Inside a batch there is no savepoint to go back to: the batch is abandoned, and this record handled on its own.
        catch (DbUpdateException) when (!db.InBatch)
        {
            entry.State = EntityState.Detached;
            return null;
        }

        return await factory.CreateSagaConsumeContext(db, _context, instance, SagaConsumeContextMode.Insert).ConfigureAwait(false);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>?> Load(Guid correlationId)
    {
        var instance = await ById(db, correlationId, CancellationToken).ConfigureAwait(false);
        return instance is null
            ? null
            : await factory.CreateSagaConsumeContext(db, _context, instance, SagaConsumeContextMode.Load).ConfigureAwait(false);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => db.SaveChangesAsync(CancellationToken);

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The row is written only where it still has the version it was read with.
        context.Saga.Version++;
        return db.SaveChangesAsync(CancellationToken);
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        db.Set<TSaga>().Remove(context.Saga);
        return db.SaveChangesAsync(CancellationToken);
    }

    public Task Discard(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        db.Entry(context.Saga).State = EntityState.Detached;
        return Task.CompletedTask;
    }

    public Task Undo(SagaConsumeContext<TSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        db.Entry(context.Saga).State = EntityState.Detached;
        return Task.CompletedTask;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        factory.CreateSagaConsumeContext(db, consumeContext, instance, mode);

    // The DbContext belongs to the message's service scope, which disposes it.
    public void Dispose()
    {
    }
}
