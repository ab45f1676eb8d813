using ECommerce.Contracts.Coupons;
using ECommerce.Testing.Records;

namespace ECommerce.AppHost.Tests.Suite;

/// <summary>Produces an issue request onto <c>coupon-issue</c> as the coupon service's outbox relay would, but for a request
/// the coupon service never accepted: its consumer cannot apply it, so it ends as a dead letter.</summary>
public static class CouponRequestPublisher
{
    public static async Task PublishAsync(SuiteApp suite, Guid messageId, CouponIssueRequested message)
    {
        ArgumentNullException.ThrowIfNull(suite);
        using var producer = new ContractProducer(await suite.ConnectionStringAsync("messaging"));
        await producer.ProduceAsync(message, messageId);
    }
}
