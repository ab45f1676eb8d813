using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>What a group does with the messages of one topic: the types it consumes there and the consumers or sagas configured
/// on each of its queues.</summary>
internal sealed record TopicSubscription(string Topic, IReadOnlyList<Type> MessageTypes, Action<IReceiveEndpointConfigurator, IRegistrationContext> Configure);
