using ECommerce.DataPlatform;

var builder = WebApplication.CreateBuilder(args);
builder.AddDataPlatformService();

var app = builder.Build();
app.UseDataPlatformService();
app.Run();
