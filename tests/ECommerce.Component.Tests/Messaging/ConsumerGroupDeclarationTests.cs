using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>A listed consumer group is given only the types <see cref="ConsumerGroups"/> lists for it, so a consumer of any
/// other type would wait forever without an error, and a listed type nobody consumes would be fetched only to be skipped:
/// such a service must refuse to start instead.</summary>
public sealed class ConsumerGroupDeclarationTests
{
    [Fact]
    public async Task A_listed_group_consuming_a_type_not_listed_for_it_does_not_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync("order", Topics.CouponIssue));

        Assert.Contains(typeof(CouponIssued).FullName!, Describe(error), StringComparison.Ordinal);
        Assert.Contains("ConsumerGroups", Describe(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_listed_group_subscribing_to_a_topic_it_lists_no_type_on_does_not_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync("balance", Topics.CouponIssue));

        Assert.Contains(Topics.CouponIssue, Describe(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_consumer_without_an_endpoint_on_the_topic_its_message_is_published_on_does_not_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync("any-tool", Topics.BalanceActivity));

        Assert.Contains(Topics.CouponIssue, Describe(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_not_listed_may_consume_any_type()
    {
        await using var host = await StartAsync("any-tool", Topics.CouponIssue);
    }

    static async Task<AsyncHost> StartAsync(string group, string topic)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory" });
        builder.Services.AddLogging();
        builder.AddMessaging("test", x => x.AddRider(rider =>
        {
            rider.AddConsumer<IssuedConsumer>();
            rider.UsingKafka((context, k) => k.TopicEndpoint(topic, group, e => e.ConfigureConsumer<IssuedConsumer>(context)));
        }));
        var host = builder.Build();
        // The rider is built with the bus: resolving the bus is where a wrong declaration fails.
        _ = host.Services.GetRequiredService<IBusControl>();
        await host.StartAsync();
        return new AsyncHost(host);
    }

    static string Describe(Exception error) => error.ToString();

    sealed class AsyncHost(IHost host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    sealed class IssuedConsumer : IConsumer<CouponIssued>
    {
        public Task Consume(ConsumeContext<CouponIssued> context) => Task.CompletedTask;
    }
}
