namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>A row of the coupon service's <c>coupons</c> table (the columns the tests check).</summary>
public sealed record CouponRow(Guid Id, int TotalQuantity, int IssuedQuantity, long DecidedCount);
