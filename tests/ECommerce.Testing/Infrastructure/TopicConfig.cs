using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ECommerce.Testing.Infrastructure;

/// <summary>Reads a topic's configuration as the brokers report it.</summary>
public static class TopicConfig
{
    /// <summary>The entry <paramref name="name"/> of <paramref name="topic"/>'s configuration (null when the broker reports no
    /// such entry). Each broker learns of a new topic from the metadata log in its own time, and the one asked can be a broker
    /// that has not yet: "unknown topic" is asked again until a deadline.</summary>
    public static async Task<ConfigEntryResult?> ReadAsync(IAdminClient admin, string topic, string name, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(admin);
        List<DescribeConfigsResult>? results = null;
        await Poll.UntilAsync(async _ =>
        {
            try
            {
                results = await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }],
                    new DescribeConfigsOptions { RequestTimeout = requestTimeout }).ConfigureAwait(false);
                return true;
            }
            catch (DescribeConfigsException e) when (e.Results.TrueForAll(r => r.Error.Code == ErrorCode.UnknownTopicOrPart))
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), $"the configuration of {topic} from a broker that knows it").ConfigureAwait(false);
        return results!.Single().Entries.GetValueOrDefault(name);
    }
}
