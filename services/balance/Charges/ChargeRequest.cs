using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Balance.Charges;

public sealed record ChargeRequest(decimal? Amount)
{
    /// <summary>The most one charge may add.</summary>
    public const decimal MaxAmount = 10_000_000m;

    public Validation Validate(Validation validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return validation.Amount(Amount, "amount", maximum: MaxAmount);
    }
}
