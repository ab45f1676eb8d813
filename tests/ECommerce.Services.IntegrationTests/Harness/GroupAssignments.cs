using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>The partitions an instance's consumer groups own, as the instance itself reports them: ServiceDefaults' group
/// consumer logs "Consumer group G: member M owns T[p], …" whenever its assignment changes (after the partitions assigned to
/// it have workers, after those revoked are committed and released). Read from the instance's own output rather than asked of
/// the group coordinator: librdkafka 2.16's admin client aborts the process that asks (DescribeConsumerGroups, an assertion
/// in rd_kafka_admin_coord_response_parse, librdkafka issue #4605) when such a request meets a broker connection that dies,
/// which is what the fault tests make brokers do.</summary>
public sealed partial class GroupAssignments
{
    readonly ConcurrentDictionary<string, IReadOnlyList<(string Topic, int Partition)>> _byGroup = new(StringComparer.Ordinal);

    /// <summary>What the instance owns in <paramref name="group"/> now (nothing before its first report).</summary>
    public IReadOnlyList<(string Topic, int Partition)> Of(string group) => _byGroup.GetValueOrDefault(group) ?? [];

    /// <summary>Takes a line of the instance's output; the assignment reports among them are kept.</summary>
    public void Observe(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (Report().Match(line) is not { Success: true } report)
            return;
        _byGroup[report.Groups["group"].Value] = Partition().Matches(report.Groups["partitions"].Value)
            .Select(m => (m.Groups["topic"].Value, int.Parse(m.Groups["partition"].Value, CultureInfo.InvariantCulture)))
            .ToList();
    }

    [GeneratedRegex(@"Consumer group (?<group>\S+): member \S+ owns(?<partitions>.*)$")]
    private static partial Regex Report();

    [GeneratedRegex(@"(?<topic>[^\s,\[\]]+)\[(?<partition>\d+)\]")]
    private static partial Regex Partition();
}
