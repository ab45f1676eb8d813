using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Builds the rider on the bus: on Kafka, a MassTransit receive-endpoint dispatcher per topic endpoint (the
/// endpoint's consumers and sagas, in-process retry) fed by one consumer-group loop per group; on the in-memory transport,
/// an in-memory receive endpoint per topic endpoint bound to the topic's exchange, with delayed redelivery and a dead-letter
/// recorder on its error queue.</summary>
internal sealed class KafkaRiderSpecification(IRiderRegistrationContext context, IReadOnlyList<KafkaTopicEndpoint> endpoints) : IBusInstanceSpecification
{
    public IEnumerable<ValidationResult> Validate()
    {
        if (endpoints.Count == 0)
            yield return this.Failure("TopicEndpoint", "The Kafka rider declares no topic endpoint.");
    }

    public void Configure(IBusInstance busInstance)
    {
        ArgumentNullException.ThrowIfNull(busInstance);
        var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
        var consumed = ConsumedTypes.Of(context);
        foreach (var group in endpoints.GroupBy(e => e.Group))
        {
            if (ConsumerGroups.All.ContainsKey(group.Key))
                ConsumedTypes.EnsureDeclared(group.Key, group.Select(e => e.Topic), consumed);
            else
                ConsumedTypes.EnsureSubscribed(endpoints.Select(e => e.Topic), consumed);
        }

        if (options.Transport == MessagingTransport.InMemory)
        {
            foreach (var endpoint in endpoints)
                ConnectInMemory(busInstance, endpoint, options);
            busInstance.Connect<IKafkaRider>(new InMemoryRider());
            return;
        }

        var bootstrap = context.GetRequiredService<IConfiguration>().GetConnectionString("messaging")
            ?? throw new InvalidOperationException("Messaging:Transport is Kafka but ConnectionStrings:messaging (the bootstrap servers) is not set.");
        var loggers = context.GetRequiredService<ILoggerFactory>();
        var groups = endpoints.GroupBy(e => e.Group).Select(group => new KafkaGroupConsumer(
            bootstrap, options, group.Key,
            group.Select(e => new DispatchEndpoint(e, Dispatcher(busInstance, e, options), AcceptedTypes(e))).ToList(),
            context.GetRequiredService<IServiceScopeFactory>(),
            context.GetRequiredService<TimeProvider>(),
            loggers.CreateLogger<KafkaGroupConsumer>())).ToList();
        var rider = new KafkaRider(groups);
        context.GetRequiredService<KafkaRiderAccessor>().Connect(rider);
        busInstance.Connect<IKafkaRider>(rider);
    }

    /// <summary>The dispatcher of one topic endpoint: MassTransit's receive pipeline without a transport, which returns once the
    /// consumers (and their database transactions) finished and rethrows a failure after the in-process retries.</summary>
    static IReceiveEndpointDispatcher Dispatcher(IBusInstance busInstance, KafkaTopicEndpoint endpoint, MessagingOptions options)
    {
        var configuration = busInstance.HostConfiguration.CreateReceiveEndpointConfiguration(endpoint.Name);
        var configurator = (IReceiveEndpointConfigurator)configuration;
        configurator.ConfigureConsumeTopology = false;
        configurator.PublishFaults = false;
        configurator.RethrowFaultedMessages();
        // A type no consumer on the endpoint takes (an unlisted group reading a whole topic) is dropped, not an error.
        configurator.DiscardSkippedMessages();
        ConfigureRetry(configurator, options);
        endpoint.Configure(configurator);
        configuration.Validate().ThrowIfContainsFailure($"The topic endpoint {endpoint.Name} is invalid:");
        return new ReceiveEndpointDispatcher(configuration.CreateReceiveEndpointContext());
    }

    /// <summary>The types the group is dispatched from the topic: those <see cref="ConsumerGroups"/> lists for it, or every
    /// type of the topic for a group not listed.</summary>
    static IReadOnlySet<string> AcceptedTypes(KafkaTopicEndpoint endpoint)
    {
        var types = ConsumerGroups.All.ContainsKey(endpoint.Group)
            ? MessageCatalog.TypesOf(endpoint.Group, endpoint.Topic)
            : MessageCatalog.ContractTypes.Where(t => MessageCatalog.Describe(t).Topic.Name == endpoint.Topic).ToList();
        return types.Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Transient failures only (a database or network error, a concurrency conflict, a timeout): the consumer's own
    /// verdict that a message cannot be applied is not retried in process, where it would hold the partition.</summary>
    static void ConfigureRetry(IReceiveEndpointConfigurator endpoint, MessagingOptions options) =>
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(TransientFailures.IsTransient);
            r.Intervals(options.RetryIntervals);
        });

    void ConnectInMemory(IBusInstance busInstance, KafkaTopicEndpoint endpoint, MessagingOptions options)
    {
        var keyed = TopicCatalog.Get(endpoint.Topic).IsKeyed;
        busInstance.ConnectReceiveEndpoint(endpoint.Name, (_, e) =>
        {
            e.ConfigureConsumeTopology = false;
            ((IInMemoryReceiveEndpointConfigurator)e).Bind(endpoint.Topic, MassTransit.Transports.Fabric.ExchangeType.FanOut, string.Empty);
            e.UseDelayedRedelivery(r =>
            {
                r.Intervals(options.RedeliveryIntervals);
                // A redelivery is the same message: the inbox must recognise it, and a dead letter must carry the id its
                // producer gave it so that a re-drive is deduplicated and can be traced.
                r.ReplaceMessageId = false;
            });
            e.PublishFaults = false;
            // A keyed topic is consumed one message at a time, in order, as a Kafka partition is.
            e.ConcurrentMessageLimit = keyed ? 1 : 8;
            e.DiscardSkippedMessages();
            ConfigureRetry(e, options);
            endpoint.Configure(e);
        });
        var scopes = context.GetRequiredService<IServiceScopeFactory>();
        busInstance.ConnectReceiveEndpoint(InMemoryDeadLetters.ErrorQueue(endpoint.Name), (_, e) =>
        {
            e.ConfigureConsumeTopology = false;
            e.PublishFaults = false;
            // Nothing consumes here: every message takes the dead-letter path (or the error path, if it cannot even be read)
            // and is stored instead of being moved on.
            e.ConfigureDeadLetter(x => x.UseFilter(new DeadLetterRecordFilter<ReceiveContext>(scopes, endpoint.Name)));
            e.ConfigureError(x => x.UseFilter(new DeadLetterRecordFilter<ExceptionReceiveContext>(scopes, endpoint.Name)));
        });
    }

    /// <summary>On the in-memory transport the endpoints are the bus's own; there is nothing to start or stop.</summary>
    sealed class InMemoryRider : IRiderControl, IKafkaRider
    {
        public IReadOnlyList<(string Topic, int Partition)> Assignment => [];

        public RiderHandle Start(CancellationToken cancellationToken = default) => new Started();

        public IEnumerable<EndpointHealthResult> CheckEndpointHealth() => [];

        sealed class Started : RiderHandle
        {
            public Task Ready => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        }
    }
}
