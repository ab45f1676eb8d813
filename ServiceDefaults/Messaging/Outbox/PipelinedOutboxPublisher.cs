using System.Diagnostics;
using ECommerce.Contracts.Topology;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Publishes a relay batch on RabbitMQ without waiting a round trip per row: every row goes out from one loop over a
/// few channels, each on a connection of its own, a key always on the same channel (a channel delivers to each queue in
/// publish order, so a key's rows arrive in sequence), and the broker's publisher confirms for the whole batch are awaited
/// afterwards. A row counts as sent only once confirmed; a row that is not (nack, channel closed, timeout) fails, and its key's
/// later rows of the batch are left pending even if the broker took them, so that a key's rows are marked in order and the
/// failed one is retried first.</summary>
/// <remarks><para>Several lanes, because the broker reads each connection and routes each channel's publishes in one process
/// (through a consistent-hash exchange, a partition exchange, a retained-log stream and a type router), and the client writes
/// each connection from one loop: one lane tops out while the machine has cores to spare.</para>
/// <para>Confirms are tracked here from the channel's ack/nack events rather than by the client (tracking enabled makes each
/// publish complete on its confirm): the client's tracked publish passes a rate limiter and a semaphore that may yield, so
/// publishes started before the previous one completes have no guaranteed order on the wire, and awaiting each one would be
/// a round trip per row again. Untracked, each publish completes once its frames are written, in call order.</para></remarks>
public sealed partial class PipelinedOutboxPublisher(BrokerAddress broker, ILogger<PipelinedOutboxPublisher> logger) : IAsyncDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly HashSet<string> _existingExchanges = new(StringComparer.Ordinal);
    readonly Dictionary<string, Uri> _destinations = new(StringComparer.Ordinal);
    Lane[] _lanes = [];

    /// <summary>How many lanes (a channel on a connection of its own) a batch is spread over, by key.</summary>
    public int Lanes { get; init; } = 2;

    /// <summary>How long the broker may take to confirm a batch before its unconfirmed rows count as failed and the channel is
    /// replaced (a confirm that never comes must not stall the relay).</summary>
    public TimeSpan ConfirmTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one publish pass (connect, publish a batch, await its confirms) may take before its connection is
    /// abandoned and its rows count as failed.</summary>
    public TimeSpan PassTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Publishes <paramref name="rows"/> (in sequence order) and returns the rows confirmed (to delete) and the rows that failed.
    /// Rows in neither list were not published or not confirmed in order, and stay pending untouched.</summary>
    public async Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> PublishAsync(
        IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Every broker call of the pass is bounded: after a broker crash a call on the client's socket can stay pending
            // forever (RabbitMQ.Client 7 has open reports of publishes that never return), and a relay waiting on it publishes
            // nothing again while its rows pile up. A pass that outlives the bound abandons its connection and starts over.
            using var pass = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            pass.CancelAfter(PassTimeout);
            try
            {
                return await PublishPassAsync(rows, pass.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogPassTimedOut(logger, PassTimeout.TotalSeconds);
                AbandonConnection();
                var error = new TimeoutException($"The outbox relay's publish pass took longer than {PassTimeout.TotalSeconds:0} s.");
                return ([], rows.GroupBy(KeyOf).Select(chain => (chain.First(), (Exception)error)).ToList());
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    async Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> PublishPassAsync(
        IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var sent = new List<OutboxMessage>(rows.Count);
        var failed = new List<(OutboxMessage Row, Exception Error)>();
        Lane[] lanes;
        try
        {
            lanes = await LanesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // No broker: the first row of every key fails (and counts an attempt), as a one-by-one publish would.
            failed.AddRange(rows.GroupBy(KeyOf).Select(chain => (chain.First(), ex)));
            return (sent, failed);
        }

        // Publish-time failures: a key's rows after one are not published at all.
        var unpublished = new Dictionary<string, (OutboxMessage Row, Exception Error)>(StringComparer.Ordinal);
        var published = new List<(OutboxMessage Row, Task Confirm)>(rows.Count);
        foreach (var row in rows)
        {
            var key = KeyOf(row);
            if (unpublished.ContainsKey(key))
                continue;

            var lane = lanes[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % lanes.Length];
            var outcome = await PublishOneAsync(lane.Channel, lane.Confirms, row, cancellationToken).ConfigureAwait(false);
            if (outcome.Confirm is not null)
            {
                published.Add((row, outcome.Confirm));
                continue;
            }

            unpublished[key] = (row, outcome.Error!);
            if (outcome.ChannelFailed)
                break;
        }

        await AwaitConfirmsAsync(published, cancellationToken).ConfigureAwait(false);
        var unconfirmed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (row, confirm) in published)
        {
            var key = KeyOf(row);
            if (unconfirmed.Contains(key))
                continue;
            if (confirm.IsCompletedSuccessfully)
            {
                sent.Add(row);
                continue;
            }

            failed.Add((row, confirm.Exception?.InnerException
                ?? new TimeoutException($"The broker did not confirm outbox row {row.Id} within {ConfirmTimeout}.")));
            unconfirmed.Add(key);
        }

        failed.AddRange(unpublished.Where(u => !unconfirmed.Contains(u.Key)).Select(u => u.Value));
        if (unconfirmed.Count > 0 || lanes.Any(l => !l.Channel.IsOpen))
            await ResetAsync().ConfigureAwait(false);
        return (sent, failed);
    }

    async Task<(Task? Confirm, Exception? Error, bool ChannelFailed)> PublishOneAsync(IChannel channel, PublisherConfirms confirms,
        OutboxMessage row, CancellationToken cancellationToken)
    {
        TopicDefinition topic;
        try
        {
            topic = TopicCatalog.Get(row.Topic);
            if (!await ExchangeExistsAsync(topic.Name, cancellationToken).ConfigureAwait(false))
                return (null, new InvalidOperationException($"Exchange '{topic.Name}' of outbox row {row.Id} does not exist on the broker."), false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, ex, false);
        }

        // The relay runs outside the request that produced the row: parent the publish on the row's stored trace context and
        // hand it on as MassTransit does, so the consumers' spans continue the request's trace.
        ActivityContext.TryParse(row.TraceParent, row.TraceState, isRemote: true, out var parent);
        using var activity = MessagingDiagnostics.Source.StartActivity($"outbox relay {row.Topic}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", row.Topic);
        activity?.SetTag("messaging.message.id", row.Id.ToString());

        byte[] body;
        BasicProperties properties;
        try
        {
            (body, properties) = OutboxEnvelope.Create(row, DestinationOf(topic),
                activity?.Id ?? row.TraceParent, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, ex, false);
        }

        // This loop is the channel's only publisher, so the next sequence number is the one this publish gets.
        var sequence = await channel.GetNextPublishSequenceNumberAsync(cancellationToken).ConfigureAwait(false);
        var confirm = confirms.Expect(sequence);
        try
        {
            await channel.BasicPublishAsync(topic.Name, row.PartitionKey ?? string.Empty, mandatory: false, properties, body, cancellationToken)
                .ConfigureAwait(false);
            return (confirm, null, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            confirms.Forget(sequence);
            return (null, ex, true);
        }
    }

    async Task AwaitConfirmsAsync(List<(OutboxMessage Row, Task Confirm)> published, CancellationToken cancellationToken)
    {
        if (published.Count == 0)
            return;
        try
        {
            await Task.WhenAll(published.Select(p => p.Confirm)).WaitAsync(ConfirmTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Each row's own outcome is read from its task: some may be confirmed, some failed, some still unconfirmed.
            LogConfirmsIncomplete(logger, ex.GetType().Name);
        }
    }

    async Task<bool> ExchangeExistsAsync(string exchange, CancellationToken cancellationToken)
    {
        if (_existingExchanges.Contains(exchange))
            return true;
        // A passive declare of a missing exchange closes its channel, so it gets a channel of its own; checking once keeps a
        // row for an exchange that was never provisioned from closing the publishing channel under every other key's rows.
        var checker = await _lanes[0].Connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (checker.ConfigureAwait(false))
        {
            try
            {
                await checker.ExchangeDeclarePassiveAsync(exchange, cancellationToken).ConfigureAwait(false);
                _existingExchanges.Add(exchange);
                return true;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                return false;
            }
        }
    }

    async Task<Lane[]> LanesAsync(CancellationToken cancellationToken)
    {
        if (_lanes.Length > 0 && _lanes.All(l => l.Channel.IsOpen))
            return _lanes;
        await ResetAsync().ConfigureAwait(false);
        var count = Math.Max(1, Lanes);
        var lanes = new List<Lane>(count);
        try
        {
            while (lanes.Count < count)
                lanes.Add(await OpenLaneAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            foreach (var lane in lanes)
                await CloseLaneAsync(lane).ConfigureAwait(false);
            throw;
        }

        _lanes = [.. lanes];
        return _lanes;
    }

    async Task<Lane> OpenLaneAsync(CancellationToken cancellationToken)
    {
        // Recovery is this class's job (a new channel has a new confirm sequence), not the client's.
        var factory = broker.CreateFactory("outbox-relay");
        factory.AutomaticRecoveryEnabled = false;
        factory.TopologyRecoveryEnabled = false;
        var connection = await broker.ConnectAsync(factory, cancellationToken).ConfigureAwait(false);
        try
        {
            var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false),
                cancellationToken).ConfigureAwait(false);
            var confirms = new PublisherConfirms();
            channel.BasicAcksAsync += (_, e) =>
            {
                confirms.Acknowledge(e.DeliveryTag, e.Multiple);
                return Task.CompletedTask;
            };
            channel.BasicNacksAsync += (_, e) =>
            {
                confirms.Reject(e.DeliveryTag, e.Multiple);
                return Task.CompletedTask;
            };
            channel.ChannelShutdownAsync += (_, e) =>
            {
                confirms.Close(e);
                return Task.CompletedTask;
            };
            return new Lane(connection, channel, confirms);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Drops the lanes without waiting for them: a pass abandons them because a call on them hung, and closing them
    /// might hang the same way. They are closed in the background, or left to the socket's end.</summary>
    void AbandonConnection()
    {
        var lanes = _lanes;
        _lanes = [];
        _existingExchanges.Clear();
        _ = Task.Run(async () =>
        {
            try
            {
                foreach (var lane in lanes)
                {
                    await lane.Channel.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                    await lane.Connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // Abandoned: whatever closing them does, they are no longer used.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogCloseFailed(logger, ex);
            }
        });
    }

    async Task ResetAsync()
    {
        var lanes = _lanes;
        _lanes = [];
        // A channel closed by the broker (a missing exchange) may have been closed for a reason that also removed exchanges.
        _existingExchanges.Clear();
        foreach (var lane in lanes)
            await CloseLaneAsync(lane).ConfigureAwait(false);
    }

    async Task CloseLaneAsync(Lane lane)
    {
        try
        {
            await lane.Channel.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Disposing a broken channel may fail in many ways; its connection is closed regardless.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCloseFailed(logger, ex);
        }

        try
        {
            await lane.Connection.CloseAsync().ConfigureAwait(false);
            await lane.Connection.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above: a new connection is opened whatever closing this one did.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCloseFailed(logger, ex);
        }
    }

    /// <summary>Closes the relay's connection (the next batch opens a new one).</summary>
    public async Task CloseAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await ResetAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    /// <summary>The topic's MassTransit address, built once per topic rather than once per row.</summary>
    Uri DestinationOf(TopicDefinition topic)
    {
        if (!_destinations.TryGetValue(topic.Name, out var address))
            _destinations[topic.Name] = address = OutboxEnvelope.DestinationAddress(broker.Primary, topic);
        return address;
    }

    static string KeyOf(OutboxMessage row) => row.PartitionKey ?? row.Id.ToString();

    sealed record Lane(IConnection Connection, IChannel Channel, PublisherConfirms Confirms);

    [LoggerMessage(LogLevel.Warning, "Not every outbox publish of the batch was confirmed ({Reason}); unconfirmed rows stay pending")]
    static partial void LogConfirmsIncomplete(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "An outbox publish pass took longer than {Seconds} s; its connection is abandoned and its rows stay pending")]
    static partial void LogPassTimedOut(ILogger logger, double seconds);

    [LoggerMessage(LogLevel.Debug, "Closing the outbox relay's RabbitMQ channel or connection failed")]
    static partial void LogCloseFailed(ILogger logger, Exception exception);
}
