using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.Component.Tests.Http;

/// <summary>The real coupon service (its own Program) in memory: SQLite in a temp file of its own, the in-memory transport, and
/// the test harness observing its bus. One per test.</summary>
/// <param name="configureServices">Changes to the service's registrations, applied after its own (fault injection).</param>
public sealed class CouponServiceFactory(Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    readonly TempDirectory _directory = new();
    string? _connectionString;

    public string DatabasePath => _directory.File("coupon.db");

    public MessageTap Tap => Services.GetRequiredService<MessageTap>();

    public async Task<T> InScopeAsync<T>(Func<CouponDbContext, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<CouponDbContext>());
    }

    /// <summary>Starts the host and waits for its bus: ServiceDefaults does not make start-up wait for it.</summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = CreateClient();
        _connectionString = Services.GetRequiredService<DatabaseConnection>().ConnectionString;
        await InScopeAsync(OutboxHistory.InstallAsync);
        var bus = Services.GetRequiredService<IBusControl>();
        await Eventually.TrueAsync(() => bus.CheckHealth().Status == BusHealthStatus.Healthy, "the coupon service's bus to be ready");
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Settings given here are visible to the service's own builder code (AddPersistence reads them eagerly).
        builder.UseSetting("ConnectionStrings:coupon", $"Data Source={DatabasePath}");
        builder.UseSetting("Messaging:Transport", "InMemory");
        builder.UseSetting("Messaging:OutboxPollInterval", "00:00:00.100");
        builder.ConfigureServices(services =>
        {
            services.AddObservingTestHarness();
            configureServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            // Pooled connections would keep the file open after the host is gone.
            if (_connectionString is not null)
            {
                using var connection = new Microsoft.Data.Sqlite.SqliteConnection(_connectionString);
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
            }

            _directory.Dispose();
        }
    }
}
