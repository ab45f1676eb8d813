using System.Globalization;
using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Balance.Charges;

/// <summary>The route's user id is bound as text and parsed here, so that "abc" is a 400 naming userId like "0" is, rather
/// than the framework's unnamed binding failure.</summary>
public static class UserIds
{
    public static Validation Parse(string? text, out long userId)
    {
        var parsed = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out userId) ? userId : (long?)null;
        return new Validation().UserId(parsed);
    }
}
