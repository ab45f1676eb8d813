using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A host with nothing but a service's persistence (<see cref="PersistenceExtensions.AddPersistence{TDbContext}"/>)
/// on a SQLite file of its own, its schema synchronized: for tests of what is written to the database, without HTTP or
/// messaging. Disposing it closes the pooled connections and removes the file.</summary>
public sealed class SqliteHost<TContext> : IDisposable
    where TContext : MessagingDbContext
{
    readonly TempDirectory _dir;
    readonly IHost _host;

    SqliteHost(TempDirectory dir, IHost host)
    {
        _dir = dir;
        _host = host;
    }

    public IServiceProvider Services => _host.Services;

    public static async Task<SqliteHost<TContext>> StartAsync(string name)
    {
        var dir = new TempDirectory();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration[$"ConnectionStrings:{name}"] = $"Data Source={dir.File($"{name}.db")}";
        builder.AddPersistence<TContext>(name);
        var host = new SqliteHost<TContext>(dir, builder.Build());
        await using (var scope = host.Services.CreateAsyncScope())
            await SchemaSynchronizer.SynchronizeAsync(scope.ServiceProvider.GetRequiredService<TContext>(), CancellationToken.None);
        return host;
    }

    /// <summary>A relay on this database for its batch path alone (no bus, no lease), publishing through
    /// <paramref name="publisher"/>.</summary>
    public OutboxRelay BatchRelay(MessagingOptions settings, IOutboxBatchPublisher publisher, TimeProvider? clock = null) =>
        new(Services.GetRequiredService<IServiceScopeFactory>(), null!, new OutboxSignal(), null!, Options.Create(settings),
            clock ?? TimeProvider.System, NullLogger<OutboxRelay>.Instance, publisher);

    /// <summary>Commits <paramref name="count"/> outbox rows (balance charges, each of a user of its own) in one transaction.</summary>
    public async Task AddOutboxRowsAsync(int count)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var now = DateTimeOffset.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync();
        await OutboxBatch.InsertAsync(db, Enumerable.Range(0, count).Select(i => OutboxBatch.Row(new BalanceCharged(Guid.NewGuid(), i + 1, 1m, 1m, 1, now), now)).ToList(),
            CancellationToken.None);
        await transaction.CommitAsync();
    }

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
