using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ECommerce.DataPlatform.Log;

/// <summary>What a consumer's librdkafka statistics (the JSON of <c>statistics.interval.ms</c>) say about its fetching, in one
/// line: the brokers it is not connected to, and each partition that is not fetching or has records it has not fetched (its
/// fetch state, next offset, high watermark, records queued in the client and leader).</summary>
public static class FetchStatistics
{
    public static string Summarize(string statisticsJson)
    {
        using var statistics = JsonDocument.Parse(statisticsJson);
        var root = statistics.RootElement;
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"client statistics of {DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("time").GetInt64()):HH:mm:ss}");
        foreach (var broker in root.GetProperty("brokers").EnumerateObject())
        {
            // Bootstrap and coordinator entries (node id -1) stand for connections to the same brokers.
            var state = broker.Value.GetProperty("state").GetString();
            if (state != "UP" && broker.Value.GetProperty("nodeid").GetInt32() >= 0)
                text.Append(CultureInfo.InvariantCulture, $"; broker {broker.Name} {state}");
        }

        var caughtUp = 0;
        foreach (var topic in root.GetProperty("topics").EnumerateObject())
        {
            foreach (var partition in topic.Value.GetProperty("partitions").EnumerateObject())
            {
                var p = partition.Value;
                // -1 is the client's placeholder for records not yet assigned a partition.
                if (p.GetProperty("partition").GetInt32() < 0)
                    continue;
                var state = p.GetProperty("fetch_state").GetString();
                var next = p.GetProperty("next_offset").GetInt64();
                var high = p.GetProperty("hi_offset").GetInt64();
                if (state == "active" && next >= high)
                {
                    caughtUp++;
                    continue;
                }

                text.Append(CultureInfo.InvariantCulture,
                    $"; {topic.Name}[{partition.Name}] {state} next {next} high {high} queued {p.GetProperty("fetchq_cnt").GetInt64()} leader {p.GetProperty("leader").GetInt32()}");
            }
        }

        return text.Append(CultureInfo.InvariantCulture, $"; {caughtUp} other partitions fetching, caught up").ToString();
    }
}
