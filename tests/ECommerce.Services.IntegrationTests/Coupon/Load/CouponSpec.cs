namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>A coupon of the flash sale: its stock and the share of all requests that ask for it.</summary>
public sealed record CouponSpec(string Name, int Stock, double Share);
