using System.Text.Json;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Records;

namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>The test's own Kafka clients, as another service would use them: commands go to their keyed command topic exactly as
/// ServiceDefaults' outbox relay produces them (the partition key as the record key, the MassTransit envelope, the same
/// headers, an idempotent producer acknowledged by the in-sync replicas), and balance-activity is read back from the brokers
/// partition by partition in offset order — a user's events are all in one partition, so they come back in the order that
/// partition carries them.</summary>
public sealed class BalanceBus(ServiceEnvironment environment) : IDisposable
{
    readonly ContractProducer _producer = new(environment.BootstrapServers, environment.Messaging);

    /// <summary>Produces <paramref name="command"/> to its topic, keyed by its partition key, and waits for the acknowledgement.</summary>
    public Task SendAsync(object command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return _producer.ProduceAsync(command);
    }

    /// <summary>Every record of balance-activity so far, partition by partition in offset order (copies of a message included).</summary>
    public async Task<IReadOnlyList<ObservedEvent>> ObservedAsync()
    {
        var records = await Task.Run(() => TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.BalanceActivity, environment.Messaging))
            .ConfigureAwait(false);
        return records.OrderBy(r => r.Partition).ThenBy(r => r.Offset).Select(Read).ToList();
    }

    static ObservedEvent Read(TopicRecord record)
    {
        using var json = JsonDocument.Parse(record.Value);
        var root = json.RootElement;
        var urn = root.GetProperty("messageType")[0].GetString()!;
        var message = root.GetProperty("message");
        return new ObservedEvent(
            Guid.Parse(root.GetProperty("messageId").GetString()!),
            urn[(urn.LastIndexOf(':') + 1)..],
            message.GetProperty("userId").GetInt64(),
            message.TryGetProperty("sequence", out var sequence) ? sequence.GetInt64() : null,
            record.Partition,
            record.Offset);
    }

    public void Dispose() => _producer.Dispose();
}
