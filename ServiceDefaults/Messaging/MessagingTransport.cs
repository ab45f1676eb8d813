namespace ECommerce.ServiceDefaults.Messaging;

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}
