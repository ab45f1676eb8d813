using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>The broker routes a listed consumer group only the types <see cref="ConsumerGroups"/> lists for it, so a consumer
/// of any other type would wait forever without an error: such a service must refuse to start instead.</summary>
public sealed class ConsumerGroupDeclarationTests
{
    [Fact]
    public void A_listed_group_consuming_a_type_not_listed_for_it_does_not_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Builder().AddMessaging("order", m => m.Consume<IssuedConsumer>(Topics.CouponIssue)));

        Assert.Contains(typeof(CouponIssued).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("ConsumerGroups", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listed_group_subscribing_to_a_topic_it_lists_no_type_on_does_not_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Builder().AddMessaging("balance", m => m.Consume<IssuedConsumer>(Topics.CouponIssue)));

        Assert.Contains(Topics.CouponIssue, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_consumer_subscribed_on_a_topic_its_message_is_not_published_on_does_not_start()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Builder().AddMessaging("any-tool", m => m.Consume<IssuedConsumer>(Topics.BalanceActivity)));

        Assert.Contains(Topics.CouponIssue, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_not_listed_may_consume_any_type_and_a_listed_one_its_own()
    {
        Builder().AddMessaging("any-tool", m => m.Consume<IssuedConsumer>(Topics.CouponIssue));
        Builder().AddMessaging("coupon", m => m.Subscribe(Topics.CouponIssue, [typeof(CouponIssueRequested)],
            _ => { }, (_, _) => { }));
    }

    [Fact]
    public void Subscribe_keeps_only_the_types_published_on_its_topic()
    {
        // A saga's events span topics; on each topic's queues only that topic's events arrive.
        Builder().AddMessaging("order", m => m.Subscribe(Topics.CouponIssue, ConsumerGroups.All["order"], _ => { }, (_, _) => { }));
    }

    [Fact]
    public void Every_type_a_group_lists_is_a_contract_on_a_topic_the_provisioner_knows()
    {
        foreach (var (group, types) in ConsumerGroups.All)
        {
            Assert.NotEmpty(types);
            Assert.All(types, t => Assert.Contains(t, MessageCatalog.ContractTypes));
            Assert.Equal(types.Select(t => MessageCatalog.Describe(t).Topic.Name).Distinct().Order(StringComparer.Ordinal),
                MessageCatalog.TopicsOf(group).Order(StringComparer.Ordinal));
        }
    }

    static HostApplicationBuilder Builder()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory" });
        return builder;
    }

    sealed class IssuedConsumer : IConsumer<CouponIssued>
    {
        public Task Consume(ConsumeContext<CouponIssued> context) => Task.CompletedTask;
    }
}
