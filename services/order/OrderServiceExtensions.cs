using ECommerce.Contracts.Topology;
using ECommerce.Order.Data;
using ECommerce.Order.Orders;
using ECommerce.Order.Products;
using ECommerce.Order.Sagas;
using ECommerce.Order.Sagas.Persistence;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;

namespace ECommerce.Order;

public static class OrderServiceExtensions
{
    public const string Name = "order";

    /// <summary>The default of <see cref="OrderOptions.RecordsPerTransaction"/> on SQLite.</summary>
    const int SqliteRecordsPerTransaction = 32;

    public static WebApplicationBuilder AddOrderService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Name, defaultPort: 5101);
        builder.AddPersistence<OrderDbContext>(Name);
        var recordsPerTransaction = builder.Configuration.GetValue<int?>($"{OrderOptions.SectionName}:{nameof(OrderOptions.RecordsPerTransaction)}")
            ?? (DatabaseConnection.Resolve(builder.Configuration, Name).Provider == DatabaseProvider.Sqlite ? SqliteRecordsPerTransaction : 1);
        if (recordsPerTransaction < 1)
            throw new InvalidOperationException($"{OrderOptions.SectionName}:{nameof(OrderOptions.RecordsPerTransaction)} must be at least 1, not {recordsPerTransaction}.");
        builder.Services.AddOptions<OrderOptions>()
            .BindConfiguration(OrderOptions.SectionName)
            .Validate(o => o.Timeout > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero && o.AcceptBatchSize > 0,
                "Order:Timeout, Order:SweepInterval and Order:AcceptBatchSize must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OrderWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OrderWriter>());
        builder.Services.AddScoped<StockLedger>();
        builder.Services.AddScoped<OrderSagaSteps>();
        builder.Services.AddHostedService<OrderTimeoutSweeper>();
        // The saga reads three topics: its own commands (submission, timeout) and the answers of balance and coupon.
        builder.AddMessaging(Name, x => x.AddRider(rider =>
        {
            rider.AddSagaStateMachine<OrderStateMachine, OrderState, OrderStateMachineDefinition>().DbContextRepository<OrderState, OrderDbContext>();
            rider.UsingKafka((context, k) =>
            {
                k.TopicEndpoint(Topics.OrderCommands, Name, recordsPerTransaction, e => e.ConfigureSaga<OrderState>(context));
                k.TopicEndpoint(Topics.BalanceActivity, Name, recordsPerTransaction, e => e.ConfigureSaga<OrderState>(context));
                k.TopicEndpoint(Topics.CouponIssue, Name, recordsPerTransaction, e => e.ConfigureSaga<OrderState>(context));
            });
        }));
        return builder;
    }

    public static WebApplication UseOrderService(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.MapProductEndpoints();
        app.MapOrderEndpoints();
        return app;
    }
}
