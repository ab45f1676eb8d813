using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;
using ECommerce.Services.IntegrationTests.Harness;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>An in-process host with a consumer group of its own on the test's broker, consuming balance-commands,
/// coupon-commands and order-completed with <see cref="CommandDoubleConsumer"/>.</summary>
public sealed class CommandDouble : IAsyncDisposable
{
    const string Group = "order-test-double";
    readonly IHost _host;
    readonly string _directory;

    CommandDouble(IHost host, string directory)
    {
        _host = host;
        _directory = directory;
    }

    public DoubleLedger Ledger => _host.Services.GetRequiredService<DoubleLedger>();

    /// <param name="log">Receives the double's warnings and errors (its messaging's, mostly).</param>
    public static async Task<CommandDouble> StartAsync(Uri brokerUri, DoubleLedger ledger, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(brokerUri);
        var directory = Path.Combine(Path.GetTempPath(), "ecommerce-service-tests", "double-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:messaging"] = brokerUri.ToString(),
            [$"ConnectionStrings:{Group}"] = $"Data Source={Path.Combine(directory, "double.db")}",
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:StandbyDelay"] = "00:00:00.100",
        });
        if (log is not null)
            builder.Logging.AddProvider(new LineLoggerProvider(log, "double"));
        builder.Services.AddSingleton(ledger);
        builder.AddPersistence<DoubleDbContext>(Group);
        var consumed = MessagingBuilder.ConsumedTypesOf<CommandDoubleConsumer>();
        builder.AddMessaging(Group, m => m
            .Subscribe(Topics.BalanceCommands, consumed, x => x.AddConsumer<CommandDoubleConsumer>(), Configure)
            .Subscribe(Topics.CouponCommands, consumed, _ => { }, Configure)
            .Subscribe(Topics.OrderCompleted, consumed, _ => { }, Configure));
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var bus = host.Services.GetRequiredService<IBusControl>();
        await ECommerce.Testing.Infrastructure.Poll.UntilAsync(_ => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy),
            TimeSpan.FromSeconds(60), "the test double's bus to be ready").ConfigureAwait(false);
        return new CommandDouble(host, directory);
    }

    static void Configure(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) =>
        endpoint.ConfigureConsumer<CommandDoubleConsumer>(context);

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(stopping.Token).ConfigureAwait(false);
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is cleaned eventually.
        }
    }
}
