namespace ECommerce.AppHost.Hosting;

/// <summary>A named address of a resource, e.g. ("http", http://127.0.0.1:5101/) or ("amqp", amqp://...).</summary>
public sealed record ResourceEndpoint(string Name, Uri Url);
