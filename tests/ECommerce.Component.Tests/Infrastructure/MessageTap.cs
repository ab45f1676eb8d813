using System.Collections.Concurrent;
using MassTransit;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>Counts every send and every consume outcome per message id. MassTransit's test harness keeps one entry per message
/// id (its lists are keyed by it), so it cannot tell "sent once" from "sent twice with the same id", nor see the success that
/// follows a failed attempt; this tap can.</summary>
public sealed class MessageTap : ISendObserver, IConsumeObserver
{
    readonly ConcurrentQueue<SentRecord> _sent = new();
    readonly ConcurrentQueue<ConsumedRecord> _consumed = new();

    public IReadOnlyList<SentRecord> Sent => [.. _sent];

    public IReadOnlyList<ConsumedRecord> Consumed => [.. _consumed];

    public IReadOnlyList<SentRecord> SentWithId(Guid messageId) => _sent.Where(s => s.MessageId == messageId).ToList();

    public IReadOnlyList<ConsumedRecord> ConsumedWithId(Guid messageId) => _consumed.Where(c => c.MessageId == messageId).ToList();

    public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

    public Task PostSend<T>(SendContext<T> context) where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        _sent.Enqueue(new SentRecord(context.MessageId, typeof(T), context.DestinationAddress));
        return Task.CompletedTask;
    }

    public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        _consumed.Enqueue(new ConsumedRecord(context.MessageId, typeof(T), context.ReceiveContext.InputAddress, null));
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        _consumed.Enqueue(new ConsumedRecord(context.MessageId, typeof(T), context.ReceiveContext.InputAddress, exception));
        return Task.CompletedTask;
    }
}
