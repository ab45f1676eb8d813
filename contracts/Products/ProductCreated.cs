using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Products;

/// <summary>A product was created with its initial stock.</summary>
[Topic(Topics.ProductActivity)]
public sealed record ProductCreated([property: PartitionKey] Guid ProductId, string Name, decimal Price, int Stock, DateTimeOffset CreatedAt);
