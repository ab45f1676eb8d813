using Confluent.Kafka;
using Confluent.Kafka.Admin;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Asks the broker about one of the test's consumer groups (names without the test's prefix): its committed offsets
/// against the partitions' end offsets, and its members with their partitions. What the broker says is the truth a restarted
/// or newly assigned member starts from, whatever the members themselves believe.</summary>
public sealed class GroupProbe : IDisposable
{
    /// <summary>Generous: on a loaded 2-core machine running the broker, PostgreSQL and several hosts, a describe has taken
    /// longer than 10 s.</summary>
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    readonly IAdminClient _admin;
    readonly MessagingOptions _options;
    readonly string _bootstrapServers;
    readonly Dictionary<string, IConsumer<string?, byte[]>> _committers = new(StringComparer.Ordinal);

    public GroupProbe(string bootstrapServers, MessagingOptions options)
    {
        _options = options;
        _bootstrapServers = bootstrapServers;
        _admin = new AdminClientBuilder(KafkaClients.Admin(bootstrapServers)).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>Committed and end offset of every partition of <paramref name="topic"/> for <paramref name="group"/>.</summary>
    public async Task<IReadOnlyList<PartitionLag>> LagAsync(string group, string topic)
    {
        var partitions = Partitions(topic);
        var committed = (await Task.Run(() => Committer(group).Committed(partitions, Timeout)).ConfigureAwait(false))
            .ToDictionary(p => p.Partition.Value, p => p.Offset.Value >= 0 ? p.Offset.Value : (long?)null);
        var ends = (await GroupOffsets.EndsAsync(_admin, partitions, Timeout).ConfigureAwait(false))
            .ToDictionary(e => e.Key.Partition.Value, e => e.Value);
        return partitions.Select(p => new PartitionLag(p.Partition.Value, committed.GetValueOrDefault(p.Partition.Value), ends[p.Partition.Value])).ToList();
    }

    /// <summary>True when <paramref name="group"/> has committed every record of <paramref name="topic"/> there is.
    /// A broker that does not answer in time counts as "not yet".</summary>
    public async Task<bool> CaughtUpAsync(string group, string topic)
    {
        try
        {
            return (await LagAsync(group, topic).ConfigureAwait(false)).All(p => p.Lag == 0);
        }
        catch (KafkaException)
        {
            return false;
        }
    }

    /// <summary>The group's members and what each owns now.</summary>
    public async Task<IReadOnlyList<GroupMember>> MembersAsync(string group)
    {
        var prefix = _options.TopicPrefix.Length;
        var description = await _admin.DescribeConsumerGroupsAsync([KafkaNames.Group(_options, group)],
            new DescribeConsumerGroupsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
        return description.ConsumerGroupDescriptions.SelectMany(g => g.Members)
            .Select(m => new GroupMember(m.ClientId, Unprefixed(m.Assignment?.TopicPartitions), Unprefixed(m.TargetAssignment?.TopicPartitions)))
            .OrderBy(m => m.ClientId, StringComparer.Ordinal)
            .ToList();

        List<(string Topic, int Partition)> Unprefixed(IEnumerable<TopicPartition>? partitions) => (partitions ?? [])
            .Select(p => (Topic: p.Topic[prefix..], Partition: p.Partition.Value))
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
    }

    /// <summary><see cref="MembersAsync"/>, or null when the broker did not answer in time (for a poll: not yet).</summary>
    public async Task<IReadOnlyList<GroupMember>?> TryMembersAsync(string group)
    {
        try
        {
            return await MembersAsync(group).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            return null;
        }
    }

    /// <summary>How many members of <paramref name="group"/> own partitions of <paramref name="topic"/> now; null when the broker
    /// did not answer in time (for a poll: not yet).</summary>
    public async Task<int?> OwnersOfAsync(string group, string topic) =>
        (await TryMembersAsync(group).ConfigureAwait(false))?.Count(m => m.PartitionsOf(topic).Any());

    /// <summary>One line per member and what it owns of <paramref name="topic"/>, for the test's log.</summary>
    public async Task<string> DescribeAsync(string group, string topic)
    {
        try
        {
            return string.Join("; ", (await MembersAsync(group).ConfigureAwait(false))
                .Select(m => $"{m.ClientId} owns {string.Join(",", m.PartitionsOf(topic))}"));
        }
        catch (KafkaException e)
        {
            return $"(not described: {e.Message})";
        }
    }

    /// <summary>Waits until <paramref name="members"/> members of <paramref name="group"/> together own every partition of
    /// <paramref name="topic"/>.</summary>
    public Task WaitForAssignmentAsync(string group, string topic, int members, TimeSpan timeout)
    {
        var all = Partitions(topic).Select(p => p.Partition.Value).ToHashSet();
        return Poll.UntilAsync(async _ => await TryMembersAsync(group).ConfigureAwait(false) is { } found
            && found.Count == members && all.SetEquals(found.SelectMany(m => m.PartitionsOf(topic))),
            timeout, $"{members} member(s) of group {group} to own every partition of {topic}");
    }

    /// <summary>Waits until <paramref name="group"/> has <paramref name="members"/> members and each owns what the coordinator
    /// means it to own: no hand-over under way.</summary>
    public Task WaitUntilSettledAsync(string group, int members, TimeSpan timeout) =>
        Poll.UntilAsync(async _ => await TryMembersAsync(group).ConfigureAwait(false) is { } found
            && found.Count == members && found.All(m => m.Settled),
            timeout, $"{members} member(s) of group {group} to own what the coordinator means them to");

    /// <summary>Sets the group's committed offset of every partition of <paramref name="topic"/> (the group must have no
    /// member: the broker refuses to move a live member's position, and so this waits until the last member has left).</summary>
    public Task ResetOffsetsAsync(string group, string topic, Func<PartitionLag, long> offset, TimeSpan timeout) =>
        Poll.UntilAsync(async _ =>
        {
            var positions = (await LagAsync(group, topic).ConfigureAwait(false))
                .Select(p => new TopicPartitionOffset(KafkaNames.Topic(_options, topic), p.Partition, offset(p))).ToList();
            try
            {
                await _admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(KafkaNames.Group(_options, group), positions)],
                    new AlterConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
                return true;
            }
            catch (KafkaException)
            {
                // The group still has a member (one that has just left is in it for a moment longer): not yet.
                return false;
            }
        }, timeout, $"the offsets of group {group} on {topic} to be reset");

    List<TopicPartition> Partitions(string topic)
    {
        var name = KafkaNames.Topic(_options, topic);
        var metadata = _admin.GetMetadata(name, Timeout).Topics.Single();
        if (metadata.Error.Code != ErrorCode.NoError)
            throw new InvalidOperationException($"Topic {name}: {metadata.Error.Reason}");
        return metadata.Partitions.Select(p => new TopicPartition(name, p.PartitionId)).OrderBy(p => p.Partition.Value).ToList();
    }

    /// <summary>The group's commit reader (<see cref="GroupOffsets.CommitReader"/>), one per group for the probe's life.</summary>
    IConsumer<string?, byte[]> Committer(string group)
    {
        lock (_committers)
        {
            if (!_committers.TryGetValue(group, out var consumer))
            {
                consumer = GroupOffsets.CommitReader(_bootstrapServers, KafkaNames.Group(_options, group), "test-commit-reader");
                _committers[group] = consumer;
            }

            return consumer;
        }
    }

    public void Dispose()
    {
        foreach (var consumer in _committers.Values)
            consumer.Dispose();
        _admin.Dispose();
    }
}
