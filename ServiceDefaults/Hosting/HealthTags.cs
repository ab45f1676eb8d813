namespace ECommerce.ServiceDefaults;

/// <summary><c>/health</c> runs the checks tagged ready (database and broker); <c>/alive</c> runs only those tagged live.</summary>
public static class HealthTags
{
    public const string Ready = "ready";
    public const string Live = "live";
}
