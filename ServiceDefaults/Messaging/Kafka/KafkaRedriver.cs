using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging.DeadLetters;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>On Kafka a dead letter goes back to its group's first retry topic, due at once, with its original key, message
/// id, envelope and trace context: only the group that failed it sees it again, and it has its whole retry budget anew.</summary>
internal sealed class KafkaRedriver(KafkaProducer producer, IOptions<MessagingOptions> options, TimeProvider clock) : IDeadLetterRedriver
{
    /// <summary>A letter of a consumer group names it and the topic it failed on (<c>group.topic</c>); the data platform's
    /// poison records name a log partition (<c>topic/2</c>) and no group reads them again.</summary>
    public bool CanRedrive(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return letter.Queue.IndexOf('.', StringComparison.Ordinal) > 0;
    }

    public async Task RedriveAsync(DeadLetter letter, RedriveEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var separator = letter.Queue.IndexOf('.', StringComparison.Ordinal);
        var (group, topic) = (letter.Queue[..separator], letter.Queue[(separator + 1)..]);
        var stored = letter.Headers is null
            ? new Dictionary<string, string?>()
            : JsonSerializer.Deserialize<Dictionary<string, string?>>(letter.Headers) ?? [];

        var headers = new Headers();
        foreach (var name in (string[])[KafkaHeaders.ContentType, KafkaHeaders.MessageId, KafkaHeaders.MessageType, KafkaHeaders.ActivityId])
        {
            if (stored.GetValueOrDefault(name) is { } value)
                headers.Add(name, Encoding.UTF8.GetBytes(value));
        }

        KafkaHeaders.Set(headers, KafkaHeaders.OriginTopic, topic);
        // Attempt 0: handled at once, it has its whole budget (this attempt and every redelivery tier) anew.
        KafkaHeaders.Set(headers, KafkaHeaders.Attempt, 0);
        KafkaHeaders.Set(headers, KafkaHeaders.DueAt, clock.GetUtcNow().ToUnixTimeMilliseconds());
        await producer.Producer.ProduceConfirmedAsync(KafkaNames.RetryTopic(options.Value, group, 1), new Message<string?, byte[]>
        {
            Key = stored.GetValueOrDefault(KafkaDeadLetterRecorder.KeyHeader),
            Value = Encoding.UTF8.GetBytes(letter.Payload),
            Headers = headers,
        }, cancellationToken).ConfigureAwait(false);
    }
}
