using ECommerce.Contracts.Topology;
using ECommerce.Coupon.Coupons;
using ECommerce.Coupon.Issuing;
using ECommerce.Coupon.Usage;
using ECommerce.Coupon.Data;
using ECommerce.ServiceDefaults;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;

namespace ECommerce.Coupon;

public static class CouponServiceExtensions
{
    public const string Name = "coupon";

    public static WebApplicationBuilder AddCouponService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(Name, defaultPort: 5102);
        builder.AddPersistence<CouponDbContext>(Name);
        builder.Services.AddSingleton<KnownCoupons>();
        builder.Services.AddSingleton<DecidedRequests>();
        builder.Services.AddOptions<IssuingOptions>().BindConfiguration(IssuingOptions.SectionName)
            .Validate(o => o.DecisionBatchSize is >= 1 and <= 10_000, $"{IssuingOptions.SectionName}:{nameof(IssuingOptions.DecisionBatchSize)} must be 1 to 10,000.")
            .Validate(o => o.AcceptBatchSize is >= 1 and <= 10_000, $"{IssuingOptions.SectionName}:{nameof(IssuingOptions.AcceptBatchSize)} must be 1 to 10,000.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IssueRequestWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IssueRequestWriter>());
        builder.AddMessaging(Name, x => x.AddRider(rider =>
        {
            rider.AddConsumer<IssueCouponConsumer, IssueCouponConsumerDefinition>();
            rider.AddConsumer<UseCouponConsumer, UseCouponConsumerDefinition>();
            rider.AddConsumer<RestoreCouponConsumer, RestoreCouponConsumerDefinition>();
            rider.UsingKafka((context, k) =>
            {
                k.TopicEndpoint(Topics.CouponIssue, Name, e => e.ConfigureConsumer<IssueCouponConsumer>(context));
                k.TopicEndpoint(Topics.CouponCommands, Name, e =>
                {
                    e.ConfigureConsumer<UseCouponConsumer>(context);
                    e.ConfigureConsumer<RestoreCouponConsumer>(context);
                });
            });
        }));
        return builder;
    }

    public static WebApplication UseCouponService(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.MapCouponEndpoints();
        app.MapIssueRequestEndpoints();
        return app;
    }
}
