using ECommerce.Contracts.Coupons;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Records;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>Produces issue-requested events for requests no coupon database holds, exactly as a service's outbox relay would
/// put them on <c>coupon-issue</c> (MassTransit envelope, the coupon id as key, so into the very partitions the coupons'
/// real requests use; an idempotent producer, acknowledged by every in-sync replica). The coupon service cannot apply one,
/// ever: each goes through its group's retry topics and ends as a dead letter, recorded once.</summary>
public static class PoisonPublisher
{
    /// <summary>Produces <paramref name="count"/> poison records over <paramref name="couponIds"/> and returns their message ids
    /// once the brokers have them all.</summary>
    public static async Task<IReadOnlyList<Guid>> PublishAsync(ServiceEnvironment environment, IReadOnlyList<Guid> couponIds, int count)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(couponIds);
        using var producer = new ContractProducer(environment.BootstrapServers, environment.Messaging);
        return await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var messageId = Guid.NewGuid();
            var poison = new CouponIssueRequested(Guid.NewGuid(), couponIds[i % couponIds.Count], 9_000_000 + i, DateTimeOffset.UtcNow);
            await producer.ProduceAsync(poison, messageId).ConfigureAwait(false);
            return messageId;
        })).ConfigureAwait(false);
    }
}
