using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Records;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>An in-process host on the suite's own Kafka rider (AddMessaging + UsingKafka), in a consumer group of its own that
/// <see cref="ConsumerGroups"/> does not list (so it may read whole topics), consuming balance-commands, coupon-commands and
/// order-completed with <see cref="CommandDoubleConsumer"/>: a member of a group like any service's, its offsets committed
/// after each record is handled.</summary>
public sealed class CommandDouble : IAsyncDisposable
{
    const string Group = "order-test-double";
    static readonly string[] ConsumedTopics = [Topics.BalanceCommands, Topics.CouponCommands, Topics.OrderCompleted];

    readonly IHost _host;
    readonly ContractProducer _producer;
    readonly string _directory;

    CommandDouble(IHost host, ContractProducer producer, string directory)
    {
        _host = host;
        _producer = producer;
        _directory = directory;
    }

    public DoubleLedger Ledger => _host.Services.GetRequiredService<DoubleLedger>();

    /// <summary>Starts the double and waits until its member owns every partition of the three topics.</summary>
    public static async Task<CommandDouble> StartAsync(ServiceEnvironment environment, DoubleLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var directory = Path.Combine(Path.GetTempPath(), "ecommerce-service-tests", "double-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ConnectionStrings:messaging"] = environment.BootstrapServers,
            [$"ConnectionStrings:{Group}"] = $"Data Source={Path.Combine(directory, "double.db")}",
            ["Messaging:Transport"] = nameof(MessagingTransport.Kafka),
            ["Messaging:TopicPrefix"] = environment.TopicPrefix,
        });
        builder.Logging.AddProvider(new LineLoggerProvider(environment.Log.Write, "double"));
        var assignments = new GroupAssignments();
        builder.Logging.AddProvider(new AssignmentLoggerProvider(assignments));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        // Answers are produced as the real services' relays produce them, with a message id derived from the order.
        var producer = new ContractProducer(environment.BootstrapServers, environment.Messaging);
        builder.Services.AddSingleton(producer);
        builder.Services.AddSingleton(ledger);
        builder.AddPersistence<DoubleDbContext>(Group);
        builder.AddMessaging(Group, x => x.AddRider(rider =>
        {
            rider.AddConsumer<CommandDoubleConsumer>();
            rider.UsingKafka((context, k) =>
            {
                foreach (var topic in ConsumedTopics)
                    k.TopicEndpoint(topic, Group, e => e.ConfigureConsumer<CommandDoubleConsumer>(context));
            });
        }));
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var started = new CommandDouble(host, producer, directory);
        try
        {
            await ECommerce.Testing.Infrastructure.Poll.UntilAsync(() => ConsumedTopics.All(t =>
                    assignments.Of(Group).Count(p => p.Topic == t) == environment.Messaging.PartitionsOf(t)),
                TimeSpan.FromSeconds(60), "the test double to own its topics' partitions", interval: TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
        catch
        {
            await started.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return started;
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(stopping.Token).ConfigureAwait(false);
        _host.Dispose();
        _producer.Dispose();
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
