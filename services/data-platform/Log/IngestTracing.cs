using System.Diagnostics;
using System.Globalization;

namespace ECommerce.DataPlatform.Log;

/// <summary>A span per ingested record in the trace of the send that published it, so one request's trace ends in the data
/// platform (its ingest is batched: the batch's database work has spans of its own, in the batch's trace).</summary>
public static class IngestTracing
{
    public const string SourceName = "ECommerce.DataPlatform";

    static readonly ActivitySource Source = new(SourceName);

    /// <summary>Started before the batch's transaction; ended with its outcome by <see cref="Finish"/>.</summary>
    public static List<Activity> Start(IReadOnlyList<LogItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var spans = new List<Activity>();
        if (!Source.HasListeners())
            return spans;
        var ambient = Activity.Current;
        foreach (var item in items)
        {
            if (item.Record is not { TraceParent: { } parent } record || !ActivityContext.TryParse(parent, null, isRemote: true, out var context))
                continue;
            var span = Source.StartActivity($"ingest {item.Partition.Topic}", ActivityKind.Consumer, context);
            if (span is null)
                continue;
            span.SetTag("messaging.system", "kafka");
            span.SetTag("messaging.operation.type", "process");
            span.SetTag("messaging.destination.name", item.Partition.Topic);
            span.SetTag("messaging.destination.partition.id", item.Partition.Partition.ToString(CultureInfo.InvariantCulture));
            span.SetTag("messaging.kafka.offset", item.Offset);
            span.SetTag("messaging.message.id", record.MessageId.ToString());
            if (record.Key is not null)
                span.SetTag("messaging.kafka.message.key", record.Key);
            span.SetTag("messaging.batch.message_count", items.Count);
            spans.Add(span);
        }

        // None stays the ambient activity: the batch's own work must not be parented on one record's trace.
        Activity.Current = ambient;
        return spans;
    }

    public static void Finish(List<Activity> spans, Exception? failure)
    {
        ArgumentNullException.ThrowIfNull(spans);
        foreach (var span in spans)
        {
            if (failure is not null)
                span.SetStatus(ActivityStatusCode.Error, failure.Message);
            span.Dispose();
        }
    }
}
