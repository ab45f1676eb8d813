using System.Globalization;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A real generic host wired exactly as a service wires itself — <c>AddPersistence</c> on a SQLite file and
/// <c>AddMessaging</c> on the in-memory transport — with two test consumers and MassTransit's test harness observing the bus.
/// One per test: its own database file, its own bus.</summary>
public sealed class ComponentHost : IAsyncDisposable
{
    public const string Group = "component-tests";
    public const string ServiceName = "component";

    readonly IHost _host;

    ComponentHost(IHost host, string databasePath)
    {
        _host = host;
        DatabasePath = databasePath;
    }

    /// <summary>The group's endpoint of the keyed <c>balance-activity</c> topic, consumed by <see cref="LedgerConsumer"/>.</summary>
    public static string LedgerQueue { get; } = $"{Group}.{Topics.BalanceActivity}";

    /// <summary>The group's endpoint of the unkeyed <c>order-completed</c> topic, consumed by <see cref="OrderLogConsumer"/>.</summary>
    public static string OrderLogQueue { get; } = $"{Group}.{Topics.OrderCompleted}";

    public string DatabasePath { get; }

    public IServiceProvider Services => _host.Services;

    public ITestHarness Harness => Services.GetRequiredService<ITestHarness>();

    public MessageTap Tap => Services.GetRequiredService<MessageTap>();

    public ConsumerFaults Faults => Services.GetRequiredService<ConsumerFaults>();

    public DuplicateGate Gate => Services.GetRequiredService<DuplicateGate>();

    public OutboxRelay Relay => Services.GetRequiredService<OutboxRelay>();

    public MessagingOptions Options => Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MessagingOptions>>().Value;

    /// <summary>Settings every test host starts from: short retry and redelivery intervals keep the retry budget (3 attempts
    /// × 3 deliveries) well under a second; a short poll keeps the relay prompt even without a commit signal.</summary>
    public static Dictionary<string, string?> DefaultSettings(string databasePath) => new(StringComparer.Ordinal)
    {
        [$"ConnectionStrings:{ServiceName}"] = $"Data Source={databasePath}",
        ["Messaging:Transport"] = "InMemory",
        ["Messaging:RetryIntervals:0"] = "00:00:00.010",
        ["Messaging:RetryIntervals:1"] = "00:00:00.010",
        ["Messaging:RedeliveryIntervals:0"] = "00:00:00.050",
        ["Messaging:RedeliveryIntervals:1"] = "00:00:00.050",
        ["Messaging:OutboxPollInterval"] = "00:00:00.100",
    };

    public static async Task<ComponentHost> StartAsync(string databasePath, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = DefaultSettings(databasePath);
        configure?.Invoke(settings);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        // Quiet by default; COMPONENT_TEST_LOGS=1 shows the host's logs (SQL, bus) when a test needs diagnosing.
        if (Environment.GetEnvironmentVariable("COMPONENT_TEST_LOGS") == "1")
            Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddSimpleConsole(builder.Logging, o => o.TimestampFormat = "HH:mm:ss.fff ");
        builder.AddPersistence<ComponentDbContext>(ServiceName);
        builder.AddMessaging(ServiceName, x => x.AddRider(rider =>
        {
            rider.AddConsumer<LedgerConsumer>();
            rider.AddConsumer<OrderLogConsumer>();
            rider.UsingKafka((context, k) =>
            {
                k.TopicEndpoint(Topics.BalanceActivity, Group, e => e.ConfigureConsumer<LedgerConsumer>(context));
                k.TopicEndpoint(Topics.OrderCompleted, Group, e => e.ConfigureConsumer<OrderLogConsumer>(context));
            });
        }));
        builder.Services.AddSingleton<ConsumerFaults>();
        builder.Services.AddSingleton<DuplicateGate>();
        builder.Services.AddObservingTestHarness();

        var host = builder.Build();
        var component = new ComponentHost(host, databasePath);
        try
        {
            await host.StartAsync();
            await component.WaitForBusAsync();
        }
        catch
        {
            await component.DisposeAsync();
            throw;
        }

        return component;
    }

    /// <summary>ServiceDefaults starts the bus without waiting for it (<c>WaitUntilStarted = false</c>); on the in-memory
    /// transport a message sent before the receive endpoints are bound would be lost, so tests wait for a healthy bus first.</summary>
    async Task WaitForBusAsync()
    {
        var bus = Services.GetRequiredService<IBusControl>();
        await Eventually.TrueAsync(() => bus.CheckHealth().Status == BusHealthStatus.Healthy, "the bus and its receive endpoints to be ready");
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<List<Effect>> EffectsAsync() =>
        InScopeAsync(sp => sp.GetRequiredService<ComponentDbContext>().Effects.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    public Task<List<OutboxMessage>> OutboxRowsAsync() =>
        InScopeAsync(sp => sp.GetRequiredService<ComponentDbContext>().OutboxMessages.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());

    public Task<IReadOnlyList<DeadLetter>> DeadLettersAsync() =>
        InScopeAsync(sp => sp.GetRequiredService<DeadLetterService>().ListAsync(100, CancellationToken.None));

    public Task<int> InboxCountAsync(Guid messageId) =>
        InScopeAsync(sp => sp.GetRequiredService<ComponentDbContext>().InboxMessages.CountAsync(x => x.MessageId == messageId));

    /// <summary>Puts <paramref name="message"/> on its topic with the given message id through the platform's own publisher —
    /// exactly what the relay does with an outbox row, including a re-publish after a crash (same id).</summary>
    public Task PublishAsMessageIdAsync(object message, Guid messageId)
    {
        ArgumentNullException.ThrowIfNull(message);
        var row = OutboxBatch.Row(message, messageId, DateTimeOffset.UtcNow);
        return Services.GetRequiredService<OutboxPublisher>().PublishAsync(row, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        var connectionString = Services.GetRequiredService<DatabaseConnection>().ConnectionString;
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _host.StopAsync(stopping.Token);
        }
        finally
        {
            if (_host is IAsyncDisposable asyncDisposable)
                await asyncDisposable.DisposeAsync();
            else
                _host.Dispose();
            // Pooled connections would keep the file open after the host is gone.
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        }
    }

    public static BalanceCharged Charge(long userId = 7, decimal amount = 10.50m) =>
        new(Guid.NewGuid(), userId, amount, amount, 1, DateTimeOffset.UtcNow);

    public static OrderCompleted CompletedOrder() =>
        new(Guid.NewGuid(), 7, [new OrderLine(Guid.NewGuid(), 1, 20m, 20m)], 20m, 0m, 20m, null, DateTimeOffset.UtcNow);

    internal static string Describe(IEnumerable<ConsumedRecord> records) =>
        string.Join("; ", records.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.MessageType.Name} {r.MessageId} on {r.InputAddress}: {(r.Succeeded ? "ok" : r.Exception!.GetType().Name)}")));
}
