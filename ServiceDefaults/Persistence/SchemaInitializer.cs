using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Synchronizes the schema before anything else starts: it is registered ahead of the bus and the outbox relay,
/// and hosted services start in registration order.</summary>
internal sealed partial class SchemaInitializer<TDbContext>(IServiceScopeFactory scopes, ILogger<SchemaInitializer<TDbContext>> logger)
    : IHostedService
    where TDbContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await SchemaSynchronizer.SynchronizeAsync(db, cancellationToken).ConfigureAwait(false);
        LogReady(logger, typeof(TDbContext).Name, db.Database.ProviderName ?? "unknown");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Schema of {DbContext} is up to date ({Provider})")]
    static partial void LogReady(ILogger logger, string dbContext, string provider);
}
