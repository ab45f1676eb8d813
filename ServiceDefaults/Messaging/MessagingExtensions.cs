using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Ops;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    /// <summary>Wires the service onto the configured transport: the transactional outbox and its relay, the inbox janitor,
    /// the dead-letter store and the operations API's readers, and MassTransit, whose consumers and sagas
    /// <paramref name="configure"/> registers the way MassTransit's Kafka rider reads:
    /// <code>
    /// builder.AddMessaging("coupon", x => x.AddRider(rider =>
    /// {
    ///     rider.AddConsumer&lt;IssueCouponConsumer, IssueCouponConsumerDefinition&gt;();
    ///     rider.UsingKafka((context, k) =>
    ///         k.TopicEndpoint(Topics.CouponIssue, "coupon", e => e.ConfigureConsumer&lt;IssueCouponConsumer&gt;(context)));
    /// }));
    /// </code>
    /// Call after <c>AddPersistence</c>, whose tables it uses.</summary>
    /// <param name="service">The service's name: the Kafka clients' id.</param>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, string service,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(MessagingOptions.SectionName);
        var options = MessagingOptions.From(section);
        builder.Services.AddOptions<MessagingOptions>().Configure(o => MessagingOptions.BindInto(section, o));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddScoped<IOutbox, EntityFrameworkOutbox>();
        builder.Services.AddSingleton<KafkaRiderAccessor>();
        builder.Services.AddSingleton<IKafkaRiderAccessor>(sp => sp.GetRequiredService<KafkaRiderAccessor>());
        if (options.Transport == MessagingTransport.Kafka)
        {
            var bootstrap = BootstrapServers(builder.Configuration);
            var clientId = $"{service}-{Environment.MachineName}-{Environment.ProcessId}";
            builder.Services.AddSingleton(sp => new KafkaProducer(bootstrap, clientId, sp.GetRequiredService<ILogger<KafkaProducer>>()));
            builder.Services.AddSingleton(sp => new KafkaTopicsInitializer(bootstrap, sp.GetRequiredService<IOptions<MessagingOptions>>(),
                sp.GetRequiredService<ILogger<KafkaTopicsInitializer>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<KafkaTopicsInitializer>());
            builder.Services.AddSingleton<IOutboxBatchPublisher, KafkaOutboxPublisher>();
            builder.Services.AddSingleton<IDeadLetterRedriver, KafkaRedriver>();
            builder.Services.AddSingleton<IConsumerLagReader>(sp =>
                new KafkaLagReader(bootstrap, sp.GetRequiredService<IOptions<MessagingOptions>>().Value, sp.GetRequiredService<IKafkaRiderAccessor>()));
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("kafka",
                sp => new KafkaHealthCheck(bootstrap, sp.GetRequiredService<IKafkaRiderAccessor>()), HealthStatus.Unhealthy, [HealthTags.Ready]));
        }
        else
        {
            builder.Services.AddSingleton<IDeadLetterRedriver, InMemoryRedriver>();
            builder.Services.AddSingleton<IConsumerLagReader, NoConsumerLag>();
        }

        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        builder.Services.AddSingleton<InboxJanitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxJanitor>());
        builder.Services.AddScoped<DeadLetterService>();
        builder.Services.AddHostedService<OpsMetrics>();
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            configure?.Invoke(x);
            // The bus itself carries nothing on Kafka (the rider does); on the in-memory transport it is the transport.
            x.UsingInMemory();
        });
        return builder;
    }

    /// <summary>The Kafka bootstrap servers of <c>ConnectionStrings:messaging</c> (<c>host:port[,host:port…]</c>).</summary>
    public static string BootstrapServers(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetConnectionString("messaging");
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException("Messaging:Transport is Kafka but ConnectionStrings:messaging (the bootstrap servers, host:port[,host:port…]) is not set.");
        if (value.Contains("://", StringComparison.Ordinal))
            throw new FormatException($"ConnectionStrings:messaging: '{value}' is not a list of Kafka bootstrap servers (host:port[,host:port…]).");
        return value;
    }
}
