using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ECommerce.ServiceDefaults.Messaging.Kafka;

/// <summary>Makes sure the suite's topics exist before the outbox relay produces to them: the AppHost creates them before any
/// service starts, but a service started on its own (a test, a tool, a fresh broker) must not depend on that. The broker does
/// not create topics on first use, so a record to a missing topic would wait forever. Runs in the background, retrying until
/// the broker answers; the relay waits for it.</summary>
internal sealed partial class KafkaTopicsInitializer(string bootstrapServers, IOptions<MessagingOptions> options, ILogger<KafkaTopicsInitializer> logger)
    : BackgroundService
{
    readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every topic exists.</summary>
    public Task Ready => _ready.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var created = await KafkaTopics.EnsureAsync(bootstrapServers, options.Value, stoppingToken).ConfigureAwait(false);
                if (created.Count > 0)
                    LogCreated(logger, string.Join(", ", created));
                _ready.TrySetResult();
                return;
            }
            catch (KafkaException e)
            {
                LogNotReady(logger, e.Error.Reason);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Created topics {Topics}")]
    static partial void LogCreated(ILogger logger, string topics);

    [LoggerMessage(LogLevel.Warning, "Topics not checked yet ({Reason}); trying again")]
    static partial void LogNotReady(ILogger logger, string reason);
}
