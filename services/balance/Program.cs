using ECommerce.Balance;

var builder = WebApplication.CreateBuilder(args);
builder.AddBalanceService();

var app = builder.Build();
app.UseBalanceService();
app.Run();
