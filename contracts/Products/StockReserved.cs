using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Products;

/// <summary>Stock was set aside for an order.</summary>
[Topic(Topics.ProductActivity)]
public sealed record StockReserved(Guid OrderId, [property: PartitionKey] Guid ProductId, int Quantity, int StockAfter, DateTimeOffset ReservedAt);
