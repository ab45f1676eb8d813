using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

internal sealed class KafkaRiderFactory(Action<IRiderRegistrationContext, IKafkaFactoryConfigurator> configure) : IRegistrationRiderFactory<IKafkaRider>
{
    public IBusInstanceSpecification CreateRider(IRiderRegistrationContext context) =>
        new KafkaRiderSpecification(context, KafkaRiderExtensions.Endpoints(context, configure));
}
