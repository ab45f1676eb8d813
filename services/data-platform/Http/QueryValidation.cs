using System.Globalization;
using ECommerce.ServiceDefaults.Http;

namespace ECommerce.DataPlatform.Http;

/// <summary>Query-string numbers read as text: a value that is not a number is a validation error naming its parameter (the
/// framework's own binding would answer a 400 that names no field).</summary>
public static class QueryValidation
{
    /// <summary>Reads an optional integer in [<paramref name="minimum"/>, <paramref name="maximum"/>]; null when absent.</summary>
    public static long? Integer(this Validation validation, string? value, string field, long minimum, long maximum)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (value is null)
            return null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum)
            return number;
        validation.Add(field, string.Create(CultureInfo.InvariantCulture, $"Must be an integer from {minimum} to {maximum}."));
        return null;
    }
}
