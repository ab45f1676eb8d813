namespace ECommerce.Order.Orders;

public static class OrderStatus
{
    public const string Pending = "Pending";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
}
