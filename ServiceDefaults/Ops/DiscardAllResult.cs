namespace ECommerce.ServiceDefaults.Ops;

public sealed record DiscardAllResult(int Discarded);
