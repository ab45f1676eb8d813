using ECommerce.Contracts.Topology;

namespace ECommerce.Contracts.Products;

/// <summary>A product's stock was set to a new level outside any order.</summary>
[Topic(Topics.ProductActivity)]
public sealed record StockChanged([property: PartitionKey] Guid ProductId, int Delta, int StockAfter, DateTimeOffset ChangedAt);
