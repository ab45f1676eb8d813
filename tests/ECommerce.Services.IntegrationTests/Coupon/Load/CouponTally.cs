namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>How one coupon's requests ended.</summary>
public sealed record CouponTally(string Name, int Stock, int Requests, int DistinctUsers, int Issued, int SoldOut, int AlreadyIssued)
{
    public override string ToString() =>
        $"{Name}: stock {Stock}, {Requests} requests from {DistinctUsers} users → {Issued} issued, {SoldOut} sold out, {AlreadyIssued} already issued";
}
