namespace ECommerce.ServiceDefaults.Http;

/// <summary>Collects validation errors per field and turns them into an RFC 7807 validation problem (400).</summary>
public sealed class Validation
{
    readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string error)
    {
        if (!_errors.TryGetValue(field, out var list))
            _errors[field] = list = [];
        list.Add(error);
        return this;
    }

    public Validation Require(bool condition, string field, string error) => condition ? this : Add(field, error);

    /// <summary>A money amount: at least <paramref name="minimum"/> (exclusive when <paramref name="exclusive"/>), at most two
    /// fraction digits, at most <paramref name="maximum"/>.</summary>
    public Validation Amount(decimal? value, string field, decimal minimum = 0m, bool exclusive = true, decimal maximum = 10_000_000m)
    {
        if (value is not { } amount)
            return Add(field, "The field is required.");
        if (exclusive ? amount <= minimum : amount < minimum)
            return Add(field, exclusive ? $"Must be greater than {minimum}." : $"Must be at least {minimum}.");
        if (amount > maximum)
            return Add(field, $"Must be at most {maximum}.");
        if (decimal.Round(amount, 2) != amount)
            return Add(field, "At most 2 fraction digits.");
        return this;
    }

    public Validation UserId(long? value, string field = "userId") =>
        value is > 0 ? this : Add(field, "Must be a positive integer.");

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
