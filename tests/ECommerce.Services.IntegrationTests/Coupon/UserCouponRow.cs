namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>A row of the coupon service's <c>user_coupons</c> table (the columns the tests check).</summary>
public sealed record UserCouponRow(Guid Id, Guid CouponId, long UserId);
