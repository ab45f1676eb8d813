using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Publishes a contract message exactly as the outbox relay would (same publisher, routing key and headers) with a
/// message id the test chooses, so the same message can be delivered as often as a test needs.</summary>
public static class DirectPublisher
{
    public static async Task PublishAsync<T>(IServiceProvider services, Guid messageId, T message) where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(message);
        var row = OutboxBatch.Row(message, messageId, DateTimeOffset.UtcNow);
        await services.GetRequiredService<OutboxPublisher>().PublishAsync(row, CancellationToken.None).ConfigureAwait(false);
    }
}
