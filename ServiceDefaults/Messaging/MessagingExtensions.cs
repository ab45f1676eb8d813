using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Messaging.Redelivery;
using ECommerce.ServiceDefaults.Messaging.Topology;
using ECommerce.ServiceDefaults.Ops;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    /// <summary>Wires the service's consumer group onto the configured transport: partitioned queues, the outbox relay, the
    /// inbox-backed consumers declared in <paramref name="configure"/>, retry and TTL redelivery, and the dead-letter
    /// recorders. Call after <c>AddPersistence</c>, whose tables it uses.</summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, string group,
        Action<MessagingBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(MessagingOptions.SectionName);
        var options = MessagingOptions.From(section);
        builder.Services.AddOptions<MessagingOptions>().Configure(o => MessagingOptions.BindInto(section, o));

        var messaging = new MessagingBuilder();
        configure?.Invoke(messaging);
        EnsureDeclared(group, messaging);
        var topology = new GroupTopology(group, options, messaging.Subscriptions.Select(s => s.Topic),
            messaging.Subscriptions.SelectMany(s => s.MessageTypes));
        var addresses = new TransportAddresses(options.Transport);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.AddSingleton(topology);
        builder.Services.AddSingleton(addresses);
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddScoped<IOutbox, EntityFrameworkOutbox>();
        if (options.Transport == MessagingTransport.RabbitMq)
        {
            builder.Services.AddSingleton(sp => new PipelinedOutboxPublisher(Broker(builder.Configuration),
                sp.GetRequiredService<ILogger<PipelinedOutboxPublisher>>()));
        }

        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        builder.Services.AddSingleton<InboxJanitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxJanitor>());
        builder.Services.AddScoped<DeadLetterService>();
        builder.Services.AddSingleton<ConsumerLagReader>();
        builder.Services.AddHostedService<OpsMetrics>();
        builder.Services.AddSingleton<IQueueStatsReader>(sp => options.Transport == MessagingTransport.RabbitMq
            ? new RabbitMqQueueStatsReader(Broker(builder.Configuration), options.ManagementUri)
            : new UnknownQueueStatsReader());
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

        var endpoints = new GroupEndpointConfigurator(topology, messaging, options);
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddMassTransit(x =>
        {
            // MassTransit's usage telemetry enumerates the bus's endpoints after start without a lock; a standby partition
            // connected at that moment (a slow start outlasting StandbyDelay) faulted the bus start: "Collection was modified".
            x.DisableUsageTelemetry();
            foreach (var register in messaging.Registrations)
                register(x);

            if (options.Transport == MessagingTransport.RabbitMq)
            {
                var broker = Broker(builder.Configuration);
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(broker.Primary, h =>
                    {
                        h.ConnectionName(group);
                        if (broker.IsCluster)
                        {
                            h.UseCluster(c =>
                            {
                                foreach (var node in broker.HostAndPorts)
                                    c.Node(node);
                            });
                        }
                    });
                    endpoints.ConfigureRabbitMq(context, cfg);
                });
                builder.Services.AddHostedService<StandbyPartitionSubscriber>();
            }
            else
            {
                x.UsingInMemory((context, cfg) => endpoints.ConfigureInMemory(context, cfg));
            }
        });
        if (options.Transport == MessagingTransport.RabbitMq)
        {
            // Registered after the bus, so stopped before it: the watchdog never restarts an endpoint the bus is stopping.
            builder.Services.AddSingleton<ReceiveEndpointWatchdog>();
            builder.Services.AddReceiveEndpointObserver(sp => sp.GetRequiredService<ReceiveEndpointWatchdog>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ReceiveEndpointWatchdog>());
            builder.Services.AddHealthChecks().AddCheck<ReceiveEndpointWatchdog>("receive-endpoints", tags: [HealthTags.Live]);
        }

        return builder;
    }

    /// <summary>The broker of <c>ConnectionStrings:messaging</c>: one amqp:// URI, or a comma-separated list for a cluster.</summary>
    public static BrokerAddress Broker(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetConnectionString("messaging")
            ?? throw new InvalidOperationException("Messaging:Transport is RabbitMq but ConnectionStrings:messaging is not set (an amqp:// URI, or a comma-separated list of them for a cluster).");
        return BrokerAddress.Parse(value);
    }

    /// <summary>A group listed in <see cref="ConsumerGroups"/> receives only the types listed there (the provisioner routes
    /// nothing else to its queues), so consuming any other type would silently never see a message: refuse to start instead.
    /// A group not listed (a test's, a tool's) binds its queues to whole partitions itself and may consume anything.</summary>
    static void EnsureDeclared(string group, MessagingBuilder messaging)
    {
        if (!ConsumerGroups.All.TryGetValue(group, out var declared))
            return;
        var topics = MessageCatalog.TopicsOf(group);
        if (messaging.Subscriptions.Select(s => s.Topic).Except(topics).ToList() is { Count: > 0 } undeclaredTopics)
            throw new InvalidOperationException(
                $"Group '{group}' subscribes to {string.Join(", ", undeclaredTopics)}, of which ConsumerGroups lists no type for it: add the types it consumes there so the provisioner creates and routes the queues.");
        if (messaging.Subscriptions.SelectMany(s => s.MessageTypes).Except(declared).Select(t => t.FullName).ToList() is { Count: > 0 } undeclaredTypes)
            throw new InvalidOperationException(
                $"Group '{group}' consumes {string.Join(", ", undeclaredTypes)}, which ConsumerGroups does not list for it: add them there, or the provisioner never routes them to the group's queues.");
    }
}
