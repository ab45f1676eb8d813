using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Topology;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>The names of a group's queues on a topic, as the platform makes them.</summary>
public static class Queues
{
    public static IReadOnlyList<string> Of(string group, string topic, MessagingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TopicCatalog.Get(topic).IsKeyed
            ? Enumerable.Range(0, options.PartitionsOf(topic)).Select(p => TopologyNames.GroupQueue(group, topic, p)).ToList()
            : [TopologyNames.GroupQueue(group, topic, null)];
    }

    /// <summary>True when every one of <paramref name="queues"/> exists and holds no ready message.</summary>
    public static async Task<bool> DrainedAsync(BrokerProbe probe, IEnumerable<string> queues)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var states = await Task.WhenAll(queues.Select(probe.QueueAsync)).ConfigureAwait(false);
        return states.All(q => q?.Ready == 0);
    }

    /// <summary>Waits until every one of <paramref name="queues"/> has a consumer: from then on the group's queues exist and are
    /// bound, so a message published to the topic reaches them. (Before a group has ever started, its queues do not exist and
    /// the broker drops what is published to the topic.)</summary>
    public static Task WaitForConsumersAsync(BrokerProbe probe, IEnumerable<string> queues, int consumers = 1)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var names = queues.ToList();
        return ECommerce.Testing.Infrastructure.Poll.UntilAsync(
            async _ => (await Task.WhenAll(names.Select(probe.QueueAsync)).ConfigureAwait(false)).All(q => q?.Consumers >= consumers),
            TimeSpan.FromSeconds(90), $"{consumers} consumer(s) on each of {string.Join(", ", names)}");
    }
}
