using RabbitMQ.Client.Events;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>The publisher confirms one channel still owes, by publish sequence number: completed by the broker's acks, failed
/// by its nacks or by the channel closing (after which no confirm can come).</summary>
internal sealed class PublisherConfirms
{
    readonly Lock _lock = new();
    readonly SortedDictionary<ulong, TaskCompletionSource> _outstanding = [];
    ShutdownEventArgs? _closed;

    public Task Expect(ulong sequence)
    {
        // Continuations run off the connection's reader loop, which must keep reading acks.
        var confirm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closed is not null)
                confirm.SetException(Closed(_closed));
            else
                _outstanding.Add(sequence, confirm);
        }

        return confirm.Task;
    }

    public void Forget(ulong sequence)
    {
        lock (_lock)
            _outstanding.Remove(sequence);
    }

    public void Acknowledge(ulong deliveryTag, bool multiple)
    {
        foreach (var confirm in Take(deliveryTag, multiple))
            confirm.TrySetResult();
    }

    public void Reject(ulong deliveryTag, bool multiple)
    {
        foreach (var confirm in Take(deliveryTag, multiple))
            confirm.TrySetException(new InvalidOperationException($"The broker rejected (nacked) publish {deliveryTag}."));
    }

    public void Close(ShutdownEventArgs reason)
    {
        List<TaskCompletionSource> pending;
        lock (_lock)
        {
            _closed = reason;
            pending = [.. _outstanding.Values];
            _outstanding.Clear();
        }

        foreach (var confirm in pending)
            confirm.TrySetException(Closed(reason));
    }

    List<TaskCompletionSource> Take(ulong deliveryTag, bool multiple)
    {
        lock (_lock)
        {
            if (!multiple)
                return _outstanding.Remove(deliveryTag, out var single) ? [single] : [];

            // Sorted, so the confirmed ones are a prefix.
            var taken = new List<TaskCompletionSource>();
            while (_outstanding.Count > 0 && _outstanding.First() is { Key: var sequence, Value: var confirm } && sequence <= deliveryTag)
            {
                taken.Add(confirm);
                _outstanding.Remove(sequence);
            }

            return taken;
        }
    }

    static InvalidOperationException Closed(ShutdownEventArgs reason) =>
        new($"The publishing channel closed before the broker confirmed: {reason.ReplyCode} {reason.ReplyText}");
}
