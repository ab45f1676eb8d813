using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Base of every service's DbContext: the outbox, inbox and dead-letter tables live in the service's own database
/// so that they commit in the same transaction as the service's state.</summary>
public abstract class MessagingDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<OutboxLease> OutboxLeases => Set<OutboxLease>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    public DbSet<DeadLetter> DeadLetters => Set<DeadLetter>();

    bool _transactionAtFirstWrite;

    /// <summary>Inside a batch (<see cref="BeginBatchAsync"/>): the units of work of several consumed records share its
    /// transaction, which the batch commits.</summary>
    public bool InBatch { get; private set; }

    /// <summary>Begins a transaction that the units of work of the next consumed records join instead of committing their own
    /// (<see cref="BeginUnitOfWorkAsync"/>, <see cref="CommitUnitOfWorkAsync"/> and <see cref="EndUnitOfWorkAsync"/> leave it
    /// open), committed by <see cref="CommitBatchAsync"/>. A consumer that fails inside it throws a
    /// <see cref="BatchAbortedException"/>, and the batch is rolled back (<see cref="EndBatchAsync"/>). The transaction begins
    /// at once: a save must not commit by itself.</summary>
    public async Task BeginBatchAsync(CancellationToken cancellationToken)
    {
        await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // A save that fails abandons the whole batch, so EF Core's savepoint around each save (two statements) buys nothing.
        Database.AutoSavepointsEnabled = false;
        InBatch = true;
    }

    /// <summary>Whether <paramref name="failure"/> of a consumer's unit of work abandons the batch it ran in (throw a
    /// <see cref="BatchAbortedException"/> of it): inside a batch, anything but an abandonment already made or a cancellation.</summary>
    public bool AbandonsBatch(Exception failure, CancellationToken cancellationToken) =>
        InBatch && failure is not BatchAbortedException && !cancellationToken.IsCancellationRequested;

    /// <summary>Commits what the batch's records wrote.</summary>
    public async Task CommitBatchAsync(CancellationToken cancellationToken)
    {
        await SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await Database.CommitTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the batch; what it did not commit is rolled back.</summary>
    public async Task EndBatchAsync()
    {
        InBatch = false;
        _transactionAtFirstWrite = false;
        Database.AutoSavepointsEnabled = true;
        ChangeTracker.Clear();
        if (Database.CurrentTransaction is { } transaction)
            await transaction.DisposeAsync().ConfigureAwait(false);
        await Database.CloseConnectionAsync().ConfigureAwait(false);
    }

    /// <summary>Inside a unit of work that has not written yet.</summary>
    bool AwaitingFirstWrite => _transactionAtFirstWrite && Database.CurrentTransaction is null;

    /// <summary>Starts a unit of work whose transaction begins at its first write (a save, or a statement run after
    /// <see cref="BeforeWriteAsync"/>) instead of now, and lasts until <see cref="EndUnitOfWorkAsync"/>. On SQLite a
    /// transaction holds the database's one write lock from its BEGIN to its COMMIT, so what the unit reads and computes
    /// before its first write runs without it. Those reads see the last committed state, which a racing writer can change
    /// before the writes: use this only where every write is guarded (a concurrency token, a conditional update, a unique
    /// key) and a refused write runs the whole unit again. The unit keeps one connection open throughout: opening one per
    /// statement costs a reset on PostgreSQL and the connection's pragmas on SQLite.</summary>
    public async Task BeginUnitOfWorkAsync(CancellationToken cancellationToken)
    {
        if (InBatch)
            return;
        await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        _transactionAtFirstWrite = true;
    }

    /// <summary>Begins the unit of work's transaction if nothing has written yet; nothing outside a unit of work or inside an
    /// open transaction.</summary>
    public async Task BeforeWriteAsync(CancellationToken cancellationToken)
    {
        if (AwaitingFirstWrite)
            await Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Commits what the unit of work wrote (saving what is still unsaved first).</summary>
    public async Task CommitUnitOfWorkAsync(CancellationToken cancellationToken)
    {
        await SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (Database.CurrentTransaction is not null && !InBatch)
            await Database.CommitTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the unit of work; a transaction it left uncommitted (it failed) is rolled back.</summary>
    public async Task EndUnitOfWorkAsync()
    {
        if (InBatch)
            return;
        _transactionAtFirstWrite = false;
        if (Database.CurrentTransaction is { } transaction)
            await transaction.DisposeAsync().ConfigureAwait(false);
        await Database.CloseConnectionAsync().ConfigureAwait(false);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        // Only inside a unit of work with no transaction yet: HasChanges runs change detection, which SaveChanges runs again.
        if (AwaitingFirstWrite && ChangeTracker.HasChanges())
            await Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken).ConfigureAwait(false);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        if (AwaitingFirstWrite && ChangeTracker.HasChanges())
            Database.BeginTransaction();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // SQLite cannot compare or order DateTimeOffset values; every timestamp here is UTC, so its binary (ticks) form
        // orders correctly.
        if (Database.IsSqlite())
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(x => x.Id).IsUnique();
            e.Property(x => x.Topic).HasMaxLength(100);
            e.Property(x => x.PartitionKey).HasMaxLength(100);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.TraceParent).HasMaxLength(100);
            e.Property(x => x.TraceState).HasMaxLength(500);
            e.Property(x => x.LastError).HasMaxLength(2000);
        });

        modelBuilder.Entity<OutboxLease>(e =>
        {
            e.ToTable("outbox_leases");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.Owner).HasMaxLength(200);
        });

        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(x => new { x.MessageId, x.Consumer });
            e.Property(x => x.Consumer).HasMaxLength(300);
            e.HasIndex(x => x.ProcessedAt);
        });

        modelBuilder.Entity<DeadLetter>(e =>
        {
            e.ToTable("dead_letters");
            e.HasKey(x => x.Id);
            e.Property(x => x.Queue).HasMaxLength(300);
            e.Property(x => x.MessageType).HasMaxLength(300);
            e.Property(x => x.ContentType).HasMaxLength(200);
            e.HasIndex(x => x.FaultedAt);
        });
    }
}
