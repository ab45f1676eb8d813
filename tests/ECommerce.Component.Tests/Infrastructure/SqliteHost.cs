using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    public void Dispose()
    {
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
