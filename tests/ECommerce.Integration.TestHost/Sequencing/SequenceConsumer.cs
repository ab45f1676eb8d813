using Confluent.Kafka;
using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>Checks per-key order as a real consumer would see it: each user's charges must arrive as 1, 2, 3, … with nothing
/// skipped, repeated or reordered. Every application is recorded with the log position it was read from, so the test can
/// also prove each message applied once, and each partition's records applied in log order.</summary>
public sealed class SequenceConsumer(SequenceDbContext db, SequencingInstance instance, IOptions<MessagingOptions> options)
    : TransactionalConsumer<BalanceCharged, SequenceDbContext>(db)
{
    protected override string InboxName => "sequencing";

    protected override async Task HandleAsync(ConsumeContext<BalanceCharged> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var message = context.Message;
        var progress = await Db.Progress.FindAsync([message.UserId], context.CancellationToken).ConfigureAwait(false);
        if (progress is null)
        {
            progress = new KeyProgress { Key = message.UserId };
            Db.Progress.Add(progress);
        }

        if (message.Sequence != progress.LastSequence + 1)
            progress.Violations++;
        progress.LastSequence = Math.Max(progress.LastSequence, message.Sequence);

        // The Kafka rider hands the record's position to the receive context; without it (another transport) the row says so.
        var position = context.ReceiveContext.TryGetPayload<TopicPartitionOffset>(out var read) ? read : null;
        var prefix = options.Value.TopicPrefix;
        Db.Applied.Add(new AppliedMessage
        {
            MessageId = context.MessageId!.Value,
            Key = message.UserId,
            Sequence = message.Sequence,
            Instance = instance.Name,
            Topic = position is null ? "?" : position.Topic.StartsWith(prefix, StringComparison.Ordinal) ? position.Topic[prefix.Length..] : position.Topic,
            Partition = position?.Partition.Value ?? -1,
            Offset = position?.Offset.Value ?? -1,
        });
    }
}
