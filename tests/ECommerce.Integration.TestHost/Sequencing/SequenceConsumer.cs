using ECommerce.Contracts.Balances;
using ECommerce.ServiceDefaults.Messaging.Inbox;
using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;

namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>Checks per-key order as a real consumer would see it: each user's charges must arrive as 1, 2, 3, … with nothing
/// skipped, repeated or reordered. Every application is recorded, so the test can also prove each message applied once.</summary>
public sealed class SequenceConsumer(SequenceDbContext db, SequencingInstance instance)
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

        var input = context.ReceiveContext.InputAddress;
        Db.Applied.Add(new AppliedMessage
        {
            MessageId = context.MessageId!.Value,
            Key = message.UserId,
            Sequence = message.Sequence,
            Instance = instance.Name,
            Queue = input is null ? "?" : TopologyNames.QueueOf(input),
            Redelivered = context.ReceiveContext.Redelivered,
        });
    }
}
