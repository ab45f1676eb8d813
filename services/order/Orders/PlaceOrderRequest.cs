using ECommerce.ServiceDefaults.Http;

namespace ECommerce.Order.Orders;

public sealed record PlaceOrderRequest(long? UserId, IReadOnlyList<PlaceOrderItem?>? Items, Guid? UserCouponId)
{
    public const int MaxItems = 50;
    public const int MaxQuantity = 1_000;

    /// <summary>Checks the shape of the request; whether the products exist is checked against the database afterwards.</summary>
    public Validation Validate()
    {
        var validation = new Validation().UserId(UserId);
        if (UserCouponId == Guid.Empty)
            validation.Add("userCouponId", "Must be a non-empty id or absent.");
        if (Items is not { Count: >= 1 and <= MaxItems })
            return validation.Add("items", $"Between 1 and {MaxItems} items.");

        var seen = new HashSet<Guid>();
        for (var i = 0; i < Items.Count; i++)
        {
            var item = Items[i];
            if (item is null)
            {
                validation.Add($"items[{i}]", "Required.");
                continue;
            }

            if (item.ProductId is not { } productId || productId == Guid.Empty)
                validation.Add($"items[{i}].productId", "Required.");
            else if (!seen.Add(productId))
                validation.Add($"items[{i}].productId", "The product is already on another line; put its whole quantity on one line.");
            validation.Require(item.Quantity is >= 1 and <= MaxQuantity, $"items[{i}].quantity", $"Must be between 1 and {MaxQuantity}.");
        }

        return validation;
    }
}
