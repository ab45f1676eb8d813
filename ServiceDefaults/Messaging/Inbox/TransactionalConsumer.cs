using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ServiceDefaults.Messaging.Inbox;

/// <summary>Base of every consumer with effects: the inbox row, the state change and any outbox rows commit in one
/// SaveChanges, and only then is the message acknowledged. A message this consumer already applied (redelivery, duplicate
/// publish) is acknowledged and changes nothing. Inside a batch (<see cref="MessagingDbContext.BeginBatchAsync"/>) the batch's
/// transaction holds it all and the batch commits.</summary>
public abstract class TransactionalConsumer<TMessage, TDbContext>(TDbContext db) : IConsumer<TMessage>
    where TMessage : class
    where TDbContext : MessagingDbContext
{
    /// <summary>The name the inbox records; stable across versions of the consumer.</summary>
    protected virtual string InboxName => GetType().FullName!;

    protected TDbContext Db { get; } = db;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id; the inbox cannot deduplicate it.");
        // One record of several sharing a batch's transaction: a failure abandons them all, to be handled one by one.
        try
        {
            await ApplyAsync(context, messageId).ConfigureAwait(false);
        }
        catch (Exception e) when (Db.AbandonsBatch(e, context.CancellationToken))
        {
            throw new BatchAbortedException(e);
        }
    }

    async Task ApplyAsync(ConsumeContext<TMessage> context, Guid messageId)
    {
        // A retry reuses nothing from a failed attempt, not even the transaction its handler began.
        Db.ChangeTracker.Clear();
        if (!Db.InBatch && Db.Database.CurrentTransaction is { } abandoned)
            await abandoned.DisposeAsync().ConfigureAwait(false);
        if (await IsProcessedAsync(messageId, context.CancellationToken).ConfigureAwait(false))
            return;

        Db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = InboxName, ProcessedAt = DateTimeOffset.UtcNow });
        await HandleAsync(context).ConfigureAwait(false);
        if (Db.InBatch)
        {
            await Db.SaveChangesAsync(context.CancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await Db.SaveChangesAsync(context.CancellationToken).ConfigureAwait(false);
            // A handler that must lock a row before it writes (UPDATE … RETURNING first) begins the transaction itself; the
            // inbox row and the outbox rows joined it, and the unit of work ends with its commit.
            if (Db.Database.CurrentTransaction is { } transaction)
                await transaction.CommitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            if (Db.Database.CurrentTransaction is { } failed)
                await failed.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            Db.ChangeTracker.Clear();
            // The same message applied concurrently (a duplicate delivered to another instance) won the race: nothing to do.
            // Anything else is a real failure for the retry policy.
            if (!await IsProcessedAsync(messageId, context.CancellationToken).ConfigureAwait(false))
                throw;
        }
    }

    /// <summary>Applies the message: change state and add outbox rows on <see cref="Db"/>; do not call SaveChanges. A handler may
    /// begin a transaction on <see cref="Db"/> (to lock a row first); it is committed after SaveChanges.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context);

    Task<bool> IsProcessedAsync(Guid messageId, CancellationToken cancellationToken) =>
        Db.InboxMessages.AsNoTracking().AnyAsync(x => x.MessageId == messageId && x.Consumer == InboxName, cancellationToken);
}
