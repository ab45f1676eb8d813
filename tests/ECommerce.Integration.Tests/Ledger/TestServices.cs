using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>The in-process services the tests run: a producer (outbox and relay only) and a ledger (consumers with
/// effects, consumer group <see cref="Ledger"/>), each wired exactly as a real service wires itself.</summary>
public static class TestServices
{
    public const string Producer = "producer";
    public const string Ledger = "ledger";

    /// <summary>How long a started ledger may take to join its group and be given the topic's partitions.</summary>
    static readonly TimeSpan JoinPatience = TimeSpan.FromSeconds(60);

    /// <summary>A producing service: its database, the outbox and the relay; consumes nothing.</summary>
    public static HostApplicationBuilder ProducerBuilder(TestEnvironment environment, string database,
        Action<MessagingOptions>? instance = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = InProcessHost.CreateBuilder($"{environment.Name}/{Producer}", environment.Configuration(Producer, database, instance), environment.Log);
        builder.AddPersistence<ProducerDbContext>(Producer);
        builder.AddMessaging(Producer);
        return builder;
    }

    /// <summary>A consuming service with the ledger database and a <see cref="DeliveryLog"/>; <paramref name="consume"/>
    /// registers its rider (see <see cref="Consume{TConsumer}"/>).</summary>
    public static HostApplicationBuilder LedgerBuilder(TestEnvironment environment, string database, Action<IBusRegistrationConfigurator> consume,
        Action<MessagingOptions>? instance = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = InProcessHost.CreateBuilder($"{environment.Name}/{Ledger}", environment.Configuration(Ledger, database, instance), environment.Log);
        builder.Services.AddSingleton<DeliveryLog>();
        builder.AddPersistence<LedgerDbContext>(Ledger);
        builder.AddMessaging(Ledger, consume);
        return builder;
    }

    /// <summary>The ledger group consumes <paramref name="topic"/> with <typeparamref name="TConsumer"/> on the Kafka rider,
    /// counting every delivery into the host's <see cref="DeliveryLog"/> before the inbox sees it.</summary>
    public static Action<IBusRegistrationConfigurator> Consume<TConsumer>(string topic)
        where TConsumer : class, IConsumer =>
        Consume<TConsumer>(topic, recordsPerTransaction: 1);

    /// <summary>As <see cref="Consume{TConsumer}(string)"/>, a partition's buffered records handled up to
    /// <paramref name="recordsPerTransaction"/> per transaction.</summary>
    public static Action<IBusRegistrationConfigurator> Consume<TConsumer>(string topic, int recordsPerTransaction)
        where TConsumer : class, IConsumer =>
        x => x.AddRider(rider =>
        {
            rider.AddConsumer<TConsumer>();
            rider.UsingKafka((context, k) => k.TopicEndpoint(topic, Ledger, recordsPerTransaction, e =>
            {
                e.UseFilter(new DeliveryCountingFilter(context.GetRequiredService<DeliveryLog>()));
                e.ConfigureConsumer<TConsumer>(context);
            }));
        });

    /// <summary>Runs <paramref name="query"/> on a fresh scope's <typeparamref name="TDbContext"/>.</summary>
    public static async Task<T> QueryAsync<TDbContext, T>(this IHost host, Func<TDbContext, Task<T>> query)
        where TDbContext : MessagingDbContext
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TDbContext>()).ConfigureAwait(false);
    }

    /// <summary>Starts a ledger host and waits until it has joined its group and owns every partition of
    /// <paramref name="topic"/>. Records produced earlier are not lost either way (a new group reads from the beginning);
    /// the wait makes a host that cannot join fail here, by name, instead of as a missing delivery later.</summary>
    public static async Task<RunningHost> StartLedgerAsync(TestEnvironment environment, IHost host, string topic)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var running = await RunningHost.StartAsync(host).ConfigureAwait(false);
        await environment.Groups.WaitForAssignmentAsync(Ledger, topic, members: 1, JoinPatience).ConfigureAwait(false);
        return running;
    }

    /// <summary>Waits until the host's consumer has nothing in hand and the group has committed every record of
    /// <paramref name="topic"/> there is, and <paramref name="condition"/> holds: from then on, with nothing more produced, no
    /// further delivery can come.</summary>
    public static Task WaitUntilSettledAsync(TestEnvironment environment, RunningHost ledger, string topic, Func<DeliveryLog, bool> condition,
        TimeSpan timeout, string description)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(ledger);
        var deliveries = ledger.Services.GetRequiredService<DeliveryLog>();
        return ECommerce.Testing.Infrastructure.Poll.UntilAsync(async _ => condition(deliveries) && deliveries.InFlight == 0
            && await environment.Groups.CaughtUpAsync(Ledger, topic).ConfigureAwait(false), timeout, description);
    }
}
