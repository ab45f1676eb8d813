extern alias dataplatform;

using dataplatform::ECommerce.DataPlatform.Log;
using Xunit;

namespace ECommerce.Component.Tests.DataPlatform;

/// <summary>The one-line summary of a consumer's librdkafka statistics that the ingest logs when its reader seems stuck, read
/// from statistics shaped as librdkafka 2.16 writes them (fields trimmed to the ones read).</summary>
public sealed class FetchStatisticsTests
{
    const string Statistics = """
        {
          "name": "data-platform#consumer-1", "type": "consumer", "time": 1796616000,
          "brokers": {
            "127.0.0.1:39092/1": { "name": "127.0.0.1:39092/1", "nodeid": 1, "state": "UP" },
            "127.0.0.1:39094/2": { "name": "127.0.0.1:39094/2", "nodeid": 2, "state": "CONNECT" },
            "GroupCoordinator": { "name": "GroupCoordinator", "nodeid": -1, "state": "INIT" }
          },
          "topics": {
            "t.coupon-issue": {
              "topic": "t.coupon-issue",
              "partitions": {
                "0": { "partition": 0, "leader": 1, "fetch_state": "active", "next_offset": 110, "hi_offset": 110, "fetchq_cnt": 0 },
                "1": { "partition": 1, "leader": 2, "fetch_state": "offset-wait", "next_offset": -1001, "hi_offset": 57, "fetchq_cnt": 0 },
                "2": { "partition": 2, "leader": 1, "fetch_state": "active", "next_offset": 40, "hi_offset": 90, "fetchq_cnt": 3 },
                "-1": { "partition": -1, "leader": -1, "fetch_state": "none", "next_offset": 0, "hi_offset": -1001, "fetchq_cnt": 0 }
              }
            }
          }
        }
        """;

    [Fact]
    public void Names_the_brokers_not_connected_and_the_partitions_not_fetching_or_behind()
    {
        Assert.Equal(
            "client statistics of 04:00:00; broker 127.0.0.1:39094/2 CONNECT; " +
            "t.coupon-issue[1] offset-wait next -1001 high 57 queued 0 leader 2; " +
            "t.coupon-issue[2] active next 40 high 90 queued 3 leader 1; 1 other partitions fetching, caught up",
            FetchStatistics.Summarize(Statistics));
    }
}
