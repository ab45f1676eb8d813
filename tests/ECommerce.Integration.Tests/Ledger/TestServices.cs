using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>The in-process services the tests run: a producer (outbox and relay only) and a ledger (consumers with
/// effects), each wired exactly as a real service wires itself.</summary>
public static class TestServices
{
    public const string Producer = "producer";
    public const string Ledger = "ledger";

    /// <summary>A producing service: its database, the outbox and the relay; consumes nothing.</summary>
    public static HostApplicationBuilder ProducerBuilder(TestEnvironment environment, string database,
        Action<MessagingOptions>? instance = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = InProcessHost.CreateBuilder(Producer, environment.Configuration(Producer, database, instance), environment.Log);
        builder.AddPersistence<ProducerDbContext>(Producer);
        builder.AddMessaging(Producer);
        return builder;
    }

    /// <summary>A consuming service with the ledger database and a <see cref="DeliveryLog"/>.</summary>
    public static HostApplicationBuilder LedgerBuilder(TestEnvironment environment, string database, Action<MessagingBuilder> consume)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var builder = InProcessHost.CreateBuilder(Ledger, environment.Configuration(Ledger, database), environment.Log);
        builder.Services.AddSingleton<DeliveryLog>();
        builder.AddPersistence<LedgerDbContext>(Ledger);
        builder.AddMessaging(Ledger, consume);
        return builder;
    }

    /// <summary>Consumes <paramref name="topic"/> with <typeparamref name="TConsumer"/>, counting every delivery into the
    /// host's <see cref="DeliveryLog"/> before the inbox sees it.</summary>
    public static MessagingBuilder ConsumeCounted<TConsumer>(this MessagingBuilder messaging, string topic)
        where TConsumer : class, IConsumer
    {
        ArgumentNullException.ThrowIfNull(messaging);
        return messaging.Subscribe(topic, MessagingBuilder.ConsumedTypesOf<TConsumer>(), x => x.AddConsumer<TConsumer>(), (e, context) =>
        {
            e.UseFilter(new DeliveryCountingFilter(context.GetRequiredService<DeliveryLog>()));
            e.ConfigureConsumer<TConsumer>(context);
        });
    }

    /// <summary>Runs <paramref name="query"/> on a fresh scope's <typeparamref name="TDbContext"/>.</summary>
    public static async Task<T> QueryAsync<TDbContext, T>(this IHost host, Func<TDbContext, Task<T>> query)
        where TDbContext : MessagingDbContext
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = host.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<TDbContext>()).ConfigureAwait(false);
    }

    /// <summary>Starts a ledger host and waits until it consumes every queue it has on <paramref name="topic"/>, so that what
    /// the test publishes next is not dropped for want of a bound queue.</summary>
    public static async Task<RunningHost> StartLedgerAsync(TestEnvironment environment, IHost host, string topic)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var running = await RunningHost.StartAsync(host).ConfigureAwait(false);
        await using var probe = await BrokerProbe.ConnectAsync(environment.BrokerUri).ConfigureAwait(false);
        await Queues.WaitForConsumersAsync(probe, Queues.Of(Ledger, topic, environment.Messaging)).ConfigureAwait(false);
        return running;
    }
}
