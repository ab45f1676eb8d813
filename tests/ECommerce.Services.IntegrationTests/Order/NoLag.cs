using ECommerce.ServiceDefaults.Ops;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>The test double's consumer lag: none reported. Nothing reads the double's gauges, and the lag reader would ask the
/// group coordinator through the admin client (DescribeConsumerGroups) every few seconds: the kind of request that librdkafka
/// 2.16 answers with an abort of the whole process (an assertion in rd_kafka_admin_coord_response_parse, librdkafka issue
/// #4605) when it meets a broker connection that dies, as it does in the broker-crash case. The test process is no place for
/// that.</summary>
public sealed class NoLag : IConsumerLagReader
{
    public Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(new List<ConsumerLag>());
}
