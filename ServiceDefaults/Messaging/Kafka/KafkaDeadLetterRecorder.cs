using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Consumes the group's dead-letter topic into the service's dead-letter table, with the exception the failure
/// policy recorded, for an operator to re-drive or discard. A record's row id derives from its position in the topic, so a
/// record read twice (a rebalance before its commit) is stored once.</summary>
internal sealed class KafkaDeadLetterRecorder(IServiceScopeFactory scopes, string group, TimeProvider clock)
{
    /// <summary>The record's key travels in the stored headers under this name, for a re-drive to produce it with the same key.</summary>
    public const string KeyHeader = "kafka-key";

    public async Task RecordAsync(ConsumeResult<string?, byte[]> record, CancellationToken cancellationToken)
    {
        var id = IdOf(record.TopicPartitionOffset);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        if (await db.DeadLetters.AnyAsync(x => x.Id == id, cancellationToken).ConfigureAwait(false))
            return;

        var headers = record.Message.Headers?.ToDictionary(h => h.Key, h => (string?)Encoding.UTF8.GetString(h.GetValueBytes()), StringComparer.Ordinal)
            ?? new Dictionary<string, string?>(StringComparer.Ordinal);
        headers[KeyHeader] = record.Message.Key;
        var origin = headers.GetValueOrDefault(KafkaHeaders.OriginTopic) ?? record.Topic;
        db.DeadLetters.Add(new DeadLetter
        {
            Id = id,
            Queue = $"{group}.{origin}",
            MessageType = headers.GetValueOrDefault(KafkaHeaders.MessageType),
            MessageId = Guid.TryParse(headers.GetValueOrDefault(KafkaHeaders.MessageId), out var messageId) ? messageId : null,
            Exception = headers.GetValueOrDefault(KafkaHeaders.Exception),
            FaultedAt = DateTimeOffset.TryParse(headers.GetValueOrDefault(KafkaHeaders.FaultedAt), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : clock.GetUtcNow(),
            Payload = Encoding.UTF8.GetString(record.Message.Value),
            Headers = JsonSerializer.Serialize(headers),
            ContentType = headers.GetValueOrDefault(KafkaHeaders.ContentType),
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        MessagingDiagnostics.DeadLettersRecorded.Add(1);
    }

    static Guid IdOf(TopicPartitionOffset position)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(position.ToString()))[..16];
        return new Guid(hash);
    }
}
