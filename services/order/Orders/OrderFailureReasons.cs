namespace ECommerce.Order.Orders;

/// <summary>Why an order ended Failed (<c>failureReason</c>).</summary>
public static class OrderFailureReasons
{
    /// <summary>A line's product had less stock than the line asked for.</summary>
    public const string OutOfStock = "OutOfStock";

    /// <summary>The balance service refused the payment (not enough balance).</summary>
    public const string PaymentRejected = "PaymentRejected";

    /// <summary>The coupon service refused the coupon (unknown, someone else's, already used).</summary>
    public const string CouponRejected = "CouponRejected";

    /// <summary>No answer before the order's deadline.</summary>
    public const string Timeout = "Timeout";
}
