using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Topology;
using ECommerce.Integration.Tests.Infrastructure;
using ECommerce.Integration.Tests.Ledger;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Integration.Tests.Relay;

/// <summary>The pipelined relay writes messages itself instead of through MassTransit; they must be what MassTransit writes. The
/// same outbox row is sent once through MassTransit (<see cref="OutboxPublisher"/>) and once through
/// <see cref="PipelinedOutboxPublisher"/>, both are read back raw from a queue, and compared field by field (the message itself as what a consumer reads from it).</summary>
public sealed class OutboxEnvelopeTests(ITestOutputHelper output)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_pipelined_relay_writes_what_MassTransit_sends()
    {
        using var traces = new TraceListener();
        await using var environment = await TestEnvironment.CreateAsync("envelope", DatabaseKind.Sqlite, output);
        var database = await environment.CreateDatabaseAsync(TestServices.Producer);
        await using var producer = await RunningHost.StartAsync(TestServices.ProducerBuilder(environment, database).Build());
        await using var sink = await RelaySink.BindAsync(environment.BrokerUri, Topics.BalanceActivity, environment.Messaging);

        var trace = ActivityTraceId.CreateRandom();
        var charge = new BalanceCharged(Guid.NewGuid(), 4711, 12.5m, 99.25m, 3, DateTimeOffset.UtcNow);
        var row = new OutboxMessage
        {
            Sequence = 1,
            Id = Guid.NewGuid(),
            Topic = Topics.BalanceActivity,
            PartitionKey = "4711",
            MessageType = typeof(BalanceCharged).FullName!,
            Body = JsonSerializer.Serialize(charge, MessageJson.Options),
            TraceParent = $"00-{trace}-{ActivitySpanId.CreateRandom()}-01",
            CreatedAt = DateTimeOffset.UtcNow,
        };

        await producer.Services.GetRequiredService<OutboxPublisher>().PublishAsync(row, CancellationToken.None);
        var fromMassTransit = await sink.NextAsync(Patience);
        var (sent, failed) = await producer.Services.GetRequiredService<PipelinedOutboxPublisher>().PublishAsync([row], CancellationToken.None);
        Assert.Empty(failed);
        Assert.Equal([row.Id], sent.Select(r => r.Id));
        var fromRelay = await sink.NextAsync(Patience);

        environment.Log.Write($"MassTransit: {Describe(fromMassTransit)}");
        environment.Log.Write($"relay:       {Describe(fromRelay)}");

        // Transport.
        Assert.Equal(fromMassTransit.Exchange, fromRelay.Exchange);
        Assert.Equal(fromMassTransit.RoutingKey, fromRelay.RoutingKey);
        var (mt, relay) = (fromMassTransit.BasicProperties, fromRelay.BasicProperties);
        Assert.Equal(OutboxEnvelope.ContentType, relay.ContentType);
        Assert.Equal(mt.ContentType, relay.ContentType);
        Assert.Equal(row.Id.ToString(), relay.MessageId);
        Assert.Equal(mt.MessageId, relay.MessageId);
        Assert.Equal(DeliveryModes.Persistent, relay.DeliveryMode);
        Assert.Equal(mt.DeliveryMode, relay.DeliveryMode);
        // Less the client's own bookkeeping of confirms (it tracks them for MassTransit, and the relay tracks them itself).
        Assert.Equal(Keys(mt.Headers).Except(["x-dotnet-pub-seq-no"]), Keys(relay.Headers));
        foreach (var header in new[] { OutboxPublisher.TopicHeader, OutboxPublisher.PartitionKeyHeader, OutboxPublisher.MessageTypeHeader })
            Assert.Equal(Text(mt.Headers![header]), Text(relay.Headers![header]));
        // Both continue the row's trace, each from its own span.
        Assert.Equal(trace, ActivityContext.Parse(Text(mt.Headers![OutboxEnvelope.ActivityIdHeader]) ?? "", null).TraceId);
        Assert.Equal(trace, ActivityContext.Parse(Text(relay.Headers![OutboxEnvelope.ActivityIdHeader]) ?? "", null).TraceId);

        // Envelope.
        using var mtBody = JsonDocument.Parse(fromMassTransit.Body);
        using var relayBody = JsonDocument.Parse(fromRelay.Body);
        var (mtEnvelope, relayEnvelope) = (mtBody.RootElement, relayBody.RootElement);
        Assert.Equal(Properties(mtEnvelope), Properties(relayEnvelope));
        foreach (var name in new[] { "messageId", "requestId", "correlationId", "initiatorId", "destinationAddress", "responseAddress",
                     "faultAddress", "messageType", "expirationTime" })
            Assert.Equal(mtEnvelope.GetProperty(name).GetRawText(), relayEnvelope.GetProperty(name).GetRawText());
        // The relay embeds the row's stored body as it is: MassTransit indents its own and writes decimals as strings, the row has
        // them as numbers. What counts is that a MassTransit consumer reads the same message from both.
        Assert.Equal(charge, mtEnvelope.GetProperty("message").Deserialize<BalanceCharged>(SystemTextJsonMessageSerializer.Options));
        Assert.Equal(charge, relayEnvelope.GetProperty("message").Deserialize<BalanceCharged>(SystemTextJsonMessageSerializer.Options));
        Assert.Equal(charge, relayEnvelope.GetProperty("message").Deserialize<BalanceCharged>(MessageJson.Options));
        Assert.True(relayEnvelope.GetProperty("conversationId").TryGetGuid(out _));
        // The one difference: MassTransit's return address is its bus's temporary queue, which the relay does not have.
        Assert.Equal(JsonValueKind.String, mtEnvelope.GetProperty("sourceAddress").ValueKind);
        Assert.Equal(JsonValueKind.Null, relayEnvelope.GetProperty("sourceAddress").ValueKind);
        Assert.Equal(row.Id, relayEnvelope.GetProperty("messageId").GetGuid());
        Assert.Equal(Properties(mtEnvelope.GetProperty("headers")), Properties(relayEnvelope.GetProperty("headers")));
        Assert.Equal(mtEnvelope.GetProperty("host").GetRawText(), relayEnvelope.GetProperty("host").GetRawText());
        Assert.Equal(trace, ActivityContext.Parse(relayEnvelope.GetProperty("headers").GetProperty(OutboxEnvelope.ActivityIdHeader).GetString()!, null).TraceId);
        Assert.True(relayEnvelope.GetProperty("sentTime").TryGetDateTimeOffset(out _));
        Assert.Equal(mtEnvelope.GetProperty("sentTime").ValueKind, relayEnvelope.GetProperty("sentTime").ValueKind);
    }

    static string Describe(BasicGetResult result)
    {
        var p = result.BasicProperties;
        var headers = string.Join(", ", (p.Headers ?? new Dictionary<string, object?>()).Select(h => $"{h.Key}={Text(h.Value)} ({h.Value?.GetType().Name})"));
        return $"exchange={result.Exchange} routingKey={result.RoutingKey} contentType={p.ContentType} messageId={p.MessageId} " +
            $"deliveryMode={p.DeliveryMode} correlationId={p.CorrelationId} type={p.Type} headers=[{headers}] body={Encoding.UTF8.GetString(result.Body.Span)}";
    }

    static List<string> Keys(IDictionary<string, object?>? headers) => [.. (headers?.Keys ?? []).Order(StringComparer.Ordinal)];

    static List<string> Properties(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        null => null,
        _ => value.ToString(),
    };
}
