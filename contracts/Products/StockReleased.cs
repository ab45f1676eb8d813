using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Products;

/// <summary>Stock reserved for a compensated order was given back.</summary>
[Topic(Topics.ProductActivity)]
public sealed record StockReleased(Guid OrderId, [property: PartitionKey] Guid ProductId, int Quantity, int StockAfter, DateTimeOffset ReleasedAt);
