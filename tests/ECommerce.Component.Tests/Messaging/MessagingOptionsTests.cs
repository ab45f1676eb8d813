using ECommerce.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>Configured retry and redelivery lists replace the defaults. The configuration binder appends array elements to a
/// property's initial array, so before the fix two configured retry intervals became five (the defaults first).</summary>
public sealed class MessagingOptionsTests
{
    [Fact]
    public void ConfiguredIntervalListsReplaceTheDefaults()
    {
        var section = Configuration(new()
        {
            ["Messaging:RetryIntervals:0"] = "00:00:00.010",
            ["Messaging:RetryIntervals:1"] = "00:00:00.020",
            ["Messaging:RedeliveryIntervals:0"] = "00:00:02",
            ["Messaging:LogRetention"] = "1.00:00:00",
            ["Messaging:DefaultPartitions"] = "2",
        });

        var options = MessagingOptions.From(section);

        Assert.Equal([TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20)], options.RetryIntervals);
        Assert.Equal([TimeSpan.FromSeconds(2)], options.RedeliveryIntervals);
        Assert.Equal(TimeSpan.FromDays(1), options.LogRetention);
        Assert.Equal(2, options.DefaultPartitions);
    }

    [Fact]
    public void UnconfiguredListsKeepTheDefaults()
    {
        var options = MessagingOptions.From(Configuration(new() { ["Messaging:Transport"] = "InMemory" }));
        var defaults = new MessagingOptions();

        Assert.Equal(MessagingTransport.InMemory, options.Transport);
        Assert.Equal(defaults.RetryIntervals, options.RetryIntervals);
        Assert.Equal(defaults.RedeliveryIntervals, options.RedeliveryIntervals);
        Assert.Equal(defaults.LogRetention, options.LogRetention);
    }

    static IConfigurationSection Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection(MessagingOptions.SectionName);
}
