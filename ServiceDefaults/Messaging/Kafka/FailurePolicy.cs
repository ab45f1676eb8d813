using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>What happens to a record a consumer could not apply: transient failures were already retried in process by the
/// endpoint; now the record goes to the group's first retry topic with a due time, then the next, and after the last to
/// the group's dead-letter topic. The original partition moves on at once: a poison record holds it no longer than its
/// in-process retries. Later records of the same key can overtake a record waiting in a retry topic, as with any Kafka
/// retry topic.</summary>
internal sealed partial class FailurePolicy(MessagingOptions options, string group, IProducer<string?, byte[]> producer, TimeProvider clock,
    ILogger logger)
{
    const int MaxExceptionLength = 8000;

    /// <summary>The retry tiers by topic name (1-based tier).</summary>
    public IReadOnlyDictionary<string, int> RetryTiers { get; } = Enumerable.Range(1, options.RedeliveryIntervals.Length)
        .ToDictionary(t => KafkaNames.RetryTopic(options, group, t), t => t, StringComparer.Ordinal);

    public string DeadLetterTopic { get; } = KafkaNames.DeadLetterTopic(options, group);

    /// <summary>Produces <paramref name="record"/> to where its next attempt waits, and returns once the broker has it.</summary>
    /// <param name="originTopic">The domain or command topic it came from (without prefix).</param>
    /// <param name="attempt">The redelivery tiers it has been through (0 for a record from its own topic, or re-driven).</param>
    public async Task ForwardAsync(ConsumeResult<string?, byte[]> record, string originTopic, int attempt, Exception failure,
        CancellationToken cancellationToken)
    {
        var next = attempt + 1;
        var now = clock.GetUtcNow();
        var headers = KafkaHeaders.Copy(record.Message.Headers);
        // Where it came from first; a re-driven dead letter (attempt 0 again, on a retry topic) keeps its origin.
        if (KafkaHeaders.Get(headers, KafkaHeaders.OriginTopic) is null)
        {
            KafkaHeaders.Set(headers, KafkaHeaders.OriginTopic, originTopic);
            KafkaHeaders.Set(headers, KafkaHeaders.OriginPartition, record.Partition.Value);
            KafkaHeaders.Set(headers, KafkaHeaders.OriginOffset, record.Offset.Value);
        }

        KafkaHeaders.Set(headers, KafkaHeaders.Attempt, next);
        KafkaHeaders.Set(headers, KafkaHeaders.Exception, Describe(failure));
        KafkaHeaders.Set(headers, KafkaHeaders.FaultedAt, now.ToString("O", CultureInfo.InvariantCulture));
        string target;
        if (next <= options.RedeliveryIntervals.Length)
        {
            target = KafkaNames.RetryTopic(options, group, next);
            KafkaHeaders.Set(headers, KafkaHeaders.DueAt, (now + options.RedeliveryIntervals[next - 1]).ToUnixTimeMilliseconds());
        }
        else
        {
            target = DeadLetterTopic;
        }

        await producer.ProduceConfirmedAsync(target, new Message<string?, byte[]> { Key = record.Message.Key, Value = record.Message.Value, Headers = headers },
            cancellationToken).ConfigureAwait(false);
        LogForwarded(logger, KafkaHeaders.Get(headers, KafkaHeaders.MessageId) ?? "?", originTopic, target, failure.GetType().Name, failure.Message);
    }

    /// <summary>Waits until a retry-topic record is due: its partition takes nothing else meanwhile, and the consumer loop
    /// pauses it once its buffer is full.</summary>
    public async Task WaitUntilDueAsync(ConsumeResult<string?, byte[]> record, CancellationToken cancellationToken)
    {
        if (KafkaHeaders.GetLong(record.Message.Headers, KafkaHeaders.DueAt) is not { } due)
            return;
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(due) - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
    }

    static string Describe(Exception failure)
    {
        var text = $"{failure.GetType().FullName}: {failure.Message}{Environment.NewLine}{failure.StackTrace}";
        return text.Length > MaxExceptionLength ? text[..MaxExceptionLength] : text;
    }

    [LoggerMessage(LogLevel.Warning, "Message {MessageId} from {Topic} failed ({Exception}: {Reason}); sent to {Target}")]
    static partial void LogForwarded(ILogger logger, string messageId, string topic, string target, string exception, string reason);
}
