namespace ECommerce.DataPlatform.Projections;

public sealed record TopProductView(Guid ProductId, long Quantity, decimal Revenue);
