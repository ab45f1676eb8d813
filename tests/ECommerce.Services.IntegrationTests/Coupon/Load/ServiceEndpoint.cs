using ECommerce.Services.IntegrationTests.Harness;

namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>An instance's HTTP API as the load sees it; <see cref="IsAlive"/> says whether its process still runs, so the load
/// stops choosing it once it is gone (as a load balancer's health check would).</summary>
public sealed record ServiceEndpoint(string Name, CouponApi Api, Func<bool> IsAlive);
