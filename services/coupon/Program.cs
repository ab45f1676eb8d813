using ECommerce.Coupon;

var builder = WebApplication.CreateBuilder(args);
builder.AddCouponService();

var app = builder.Build();
app.UseCouponService();
app.Run();
