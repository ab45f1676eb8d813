using ECommerce.DataPlatform.Data;
using ECommerce.ServiceDefaults.Ops;

namespace ECommerce.DataPlatform.Log;

/// <summary>The ingest's lag for <c>/ops/consumers</c> and the <c>ecommerce.consumer.lag</c> gauge, in the rows the services'
/// consumer groups report: per partition of the domain topics, the end offset minus the ingest's position. The position is the
/// one stored in the database with the effects (no Kafka consumer group holds it, see <see cref="DomainLog"/>); the owner is
/// the instance holding the ingest lease, the one reading the log.</summary>
public sealed class IngestLagReader(IServiceScopeFactory scopes, DomainLog log, IngestLease lease) : IConsumerLagReader
{
    /// <summary>The name the rows carry where a consumer group's would be.</summary>
    public const string Group = "data-platform.ingest";

    public async Task<List<ConsumerLag>> ReadAsync(CancellationToken cancellationToken)
    {
        var partitions = await log.ExistingPartitionsAsync().ConfigureAwait(false);
        Dictionary<LogPartition, long> applied;
        string? holder;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>();
            applied = await LogIngestor.AppliedOffsetsAsync(db, cancellationToken).ConfigureAwait(false);
            holder = await lease.HolderAsync(db, cancellationToken).ConfigureAwait(false);
        }

        var backlog = await log.BacklogAsync(partitions, applied, cancellationToken).ConfigureAwait(false);
        return backlog.Select(b => new ConsumerLag(Group, b.Partition.Topic, b.Partition.Partition, null, b.Unread, null, holder is null ? 0 : 1, null,
                b.Applied + 1, b.End, holder))
            .ToList();
    }
}
