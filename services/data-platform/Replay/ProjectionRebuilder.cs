using System.Text.Json;
using System.Threading.Channels;
using ECommerce.DataPlatform.Data;
using ECommerce.DataPlatform.Log;
using ECommerce.DataPlatform.Projections;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using RabbitMQ.Client;

namespace ECommerce.DataPlatform.Replay;

/// <summary>Computes the projections afresh from the retained log: every stream read from its first offset up to the offset
/// the live ingest has reached in it, each message id counted once, with the same <see cref="ProjectionDelta"/> the live ingest
/// uses. Over the same records that gives the same projections; the caller swaps them in. <c>keepLease</c> is called as it
/// goes (a long replay must not let the ingest lease expire); when it answers false the rebuild is abandoned (null).</summary>
public sealed class ProjectionRebuilder(RetainedLog log, DataPlatformOptions options)
{
    public async Task<(ProjectionDelta Projections, long RecordsRead)?> RebuildAsync(IConnection connection, DataPlatformDbContext db,
        IReadOnlyDictionary<string, long> offsets, Func<Task<bool>> keepLease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(keepLease);
        var delta = new ProjectionDelta();
        var seen = new HashSet<Guid>();
        var read = 0L;
        foreach (var stream in log.Streams)
        {
            if (!offsets.TryGetValue(stream.Queue, out var target))
                continue;
            var first = await ReadAsync(connection, stream, target, keepLease, record =>
            {
                read++;
                if (seen.Add(record.MessageId))
                    delta.Apply(record.Message);
            }, cancellationToken).ConfigureAwait(false);
            if (first is null)
                return null;

            // Retention has dropped the stream's oldest records: those the live ingest applied are in the event log, which keeps
            // everything, so the projections still cover the whole history.
            if (first > 0)
            {
                var expired = db.Events.AsNoTracking()
                    .Where(e => e.Topic == stream.Topic && e.Partition == stream.Partition && e.Offset < first)
                    .OrderBy(e => e.Offset).AsAsyncEnumerable();
                await foreach (var row in expired.WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    var type = LogRecordReader.ContractType(row.MessageType)
                        ?? throw new InvalidOperationException($"Event {row.MessageId} has unknown type {row.MessageType}.");
                    if (seen.Add(row.MessageId))
                        delta.Apply(JsonSerializer.Deserialize(row.Payload, type, MessageJson.Options)!);
                }
            }
        }

        return (delta, read);
    }

    /// <summary>Reads <paramref name="stream"/> from its first retained offset through <paramref name="target"/>; returns the first
    /// offset it received, or null when the lease was lost on the way.</summary>
    async Task<long?> ReadAsync(IConnection connection, LogStream stream, long target, Func<Task<bool>> keepLease, Action<LogRecord> apply,
        CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            await channel.BasicQosAsync(0, options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var items = Channel.CreateUnbounded<LogItem>(new UnboundedChannelOptions { SingleReader = true });
            await new StreamConsumer(channel, stream, items.Writer).StartAsync("first", cancellationToken).ConfigureAwait(false);
            long? first = null;
            var last = -1L;
            while (true)
            {
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(options.ReplayIdleTimeout);
                    try
                    {
                        await items.Reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"{stream.Queue} sent nothing after offset {last} for {options.ReplayIdleTimeout}; the replay must reach offset {target}.");
                    }
                }

                ulong tag = 0;
                while (last < target && items.Reader.TryRead(out var item))
                {
                    tag = item.DeliveryTag;
                    first ??= item.Offset;
                    // A consumer may be handed the whole chunk its first offset sits in; offsets only grow within a stream.
                    if (item.Offset <= last)
                        continue;
                    last = item.Offset;
                    if (item.Record is { } record && item.Offset <= target)
                        apply(record);
                }

                if (tag > 0)
                    await channel.BasicAckAsync(tag, multiple: true, cancellationToken).ConfigureAwait(false);
                if (!await keepLease().ConfigureAwait(false))
                    return null;
                if (last >= target)
                    return first ?? 0;
            }
        }
    }
}
