namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>One step of the load: a charge over HTTP (<see cref="OrderId"/> null) or a deduct command over the bus.</summary>
public sealed record PlannedOperation(int Index, long UserId, decimal Amount, Guid? OrderId)
{
    public bool IsCharge => OrderId is null;
}
