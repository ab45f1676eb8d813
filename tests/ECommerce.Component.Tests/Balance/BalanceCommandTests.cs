extern alias balance;

using balance::ECommerce.Balance.Orders;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Balances;
using Xunit;

namespace ECommerce.Component.Tests.Balance;

/// <summary>The order saga's side of balances: deduct and refund commands on balance-commands, idempotent by order id and by
/// message id, answered with events on balance-activity.</summary>
public sealed class BalanceCommandTests
{
    [Fact]
    public async Task DeductTakesThePaymentWhenTheBalanceSufficesAndIsRejectedOtherwiseNeverGoingNegative()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        await service.ChargedAsync(7, 100m);
        var (paid, refused, exact) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await service.SendAsync(new DeductBalance(paid, 7, 60.25m));
        await service.AppliedAsync<DeductBalanceConsumer>(1);
        await service.SendAsync(new DeductBalance(refused, 7, 39.76m));
        await service.AppliedAsync<DeductBalanceConsumer>(2);
        await service.SendAsync(new DeductBalance(exact, 7, 39.75m));
        await service.AppliedAsync<DeductBalanceConsumer>(3);

        var deducted = await service.EventsAsync<BalanceDeducted>();
        Assert.Equal([(paid, 60.25m, 39.75m, 2L), (exact, 39.75m, 0m, 3L)], deducted.Select(d => (d.OrderId, d.Amount, d.BalanceAfter, d.Sequence)));
        var rejected = Assert.Single(await service.EventsAsync<BalanceDeductionRejected>());
        Assert.Equal((refused, 7L, 39.76m, 39.75m, BalanceRejectionReasons.InsufficientBalance),
            (rejected.OrderId, rejected.UserId, rejected.Amount, rejected.Balance, rejected.Reason));

        Assert.Equal(0m, await service.BalanceAsync(7));
        var history = await service.HistoryAsync(7);
        Assert.Equal([("Charged", (Guid?)null), ("Deducted", paid), ("Deducted", exact)], history.Select(h => (h.Type, h.OrderId)));
        LedgerAssert.Consistent(history, 0m);
    }

    [Fact]
    public async Task ADeductForAUserWithNothingOrAnInvalidAmountIsRejectedWithItsReason()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        await service.ChargedAsync(7, 10m);

        await service.SendAsync(new DeductBalance(Guid.NewGuid(), 99, 0.01m));
        await service.SendAsync(new DeductBalance(Guid.NewGuid(), 7, 0m));
        await service.SendAsync(new DeductBalance(Guid.NewGuid(), 7, 1.005m));
        await service.SendAsync(new DeductBalance(Guid.NewGuid(), 0, 1m));
        await service.AppliedAsync<DeductBalanceConsumer>(4);

        var reasons = (await service.EventsAsync<BalanceDeductionRejected>()).Select(r => (r.UserId, r.Reason, r.Balance)).ToList();
        Assert.Equal(4, reasons.Count);
        Assert.Contains((99L, BalanceRejectionReasons.InsufficientBalance, 0m), reasons);
        Assert.Equal(2, reasons.Count(r => r == (7L, BalanceRejectionReasons.InvalidAmount, 10m)));
        Assert.Contains((0L, BalanceRejectionReasons.InvalidUser, 0m), reasons);
        Assert.Equal(10m, await service.BalanceAsync(7));
        Assert.Equal(0m, await service.BalanceAsync(99));
        Assert.Empty(await service.HistoryAsync(99));
        Assert.Empty(await service.EventsAsync<BalanceDeducted>());
    }

    [Fact]
    public async Task ARepeatedDeductForTheSameOrderChangesNothingWhateverItsMessageId()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        await service.ChargedAsync(7, 50m);
        var (order, poor) = (Guid.NewGuid(), Guid.NewGuid());

        var first = await service.SendAsync(new DeductBalance(order, 7, 20m));
        await service.SendAsync(new DeductBalance(order, 7, 20m), first);
        await service.SendAsync(new DeductBalance(order, 7, 20m));
        await service.SendAsync(new DeductBalance(poor, 7, 500m));
        await service.AppliedAsync<DeductBalanceConsumer>(3);
        // Rejected once, decided for good: a balance that would now suffice changes nothing.
        await service.ChargedAsync(7, 1_000m);
        await service.SendAsync(new DeductBalance(poor, 7, 500m));
        // Four distinct messages; one more delivery repeated the first one's message id.
        await service.AppliedAsync<DeductBalanceConsumer>(4);
        await Eventually.TrueAsync(() => service.Tap.ConsumedWithId(first).Count(c => c.Succeeded) == 2, "both deliveries of the first message acknowledged");

        Assert.Single(await service.EventsAsync<BalanceDeducted>());
        Assert.Single(await service.EventsAsync<BalanceDeductionRejected>());
        Assert.Equal(1_030m, await service.BalanceAsync(7));
        var history = await service.HistoryAsync(7);
        Assert.Equal(["Charged", "Deducted", "Charged"], history.Select(h => h.Type));
        LedgerAssert.Consistent(history, 1_030m);
        // The redelivered message (same id) was acknowledged without a second inbox row: applied once.
        Assert.Equal(1, await service.InScopeAsync(db => Task.FromResult(db.InboxMessages.Count(m => m.MessageId == first))));
    }

    [Fact]
    public async Task RefundGivesBackWhatTheDeductionTookOnceAndOnlyAfterADeduction()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        await service.ChargedAsync(7, 100m);
        var (order, other, never) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        await service.SendAsync(new DeductBalance(order, 7, 30m));
        await service.SendAsync(new DeductBalance(other, 7, 10m));
        await service.AppliedAsync<DeductBalanceConsumer>(2);
        // The refund's amount is not trusted: the deduction's own amount comes back.
        var refund = await service.SendAsync(new RefundBalance(order, 7, 99m));
        await service.SendAsync(new RefundBalance(order, 7, 30m), refund);
        await service.SendAsync(new RefundBalance(order, 7, 30m));
        await service.SendAsync(new RefundBalance(other, 8, 10m));
        await service.SendAsync(new RefundBalance(never, 7, 5m));
        await service.AppliedAsync<RefundBalanceConsumer>(4);
        await Eventually.TrueAsync(() => service.Tap.ConsumedWithId(refund).Count(c => c.Succeeded) == 2, "both deliveries of the first refund acknowledged");

        var refunded = Assert.Single(await service.EventsAsync<BalanceRefunded>());
        Assert.Equal((order, 7L, 30m, 90m, 4L), (refunded.OrderId, refunded.UserId, refunded.Amount, refunded.BalanceAfter, refunded.Sequence));
        Assert.Equal(90m, await service.BalanceAsync(7));
        Assert.Equal(0m, await service.BalanceAsync(8));
        var history = await service.HistoryAsync(7);
        Assert.Equal([("Charged", (Guid?)null), ("Deducted", order), ("Deducted", other), ("Refunded", order)], history.Select(h => (h.Type, h.OrderId)));
        LedgerAssert.Consistent(history, 90m);
    }

    [Fact]
    public async Task ADeductArrivingAfterItsOrdersRefundIsNotApplied()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        await service.ChargedAsync(7, 100m);
        var order = Guid.NewGuid();

        await service.SendAsync(new RefundBalance(order, 7, 30m));
        await service.AppliedAsync<RefundBalanceConsumer>(1);
        await service.SendAsync(new DeductBalance(order, 7, 30m));
        await service.AppliedAsync<DeductBalanceConsumer>(1);

        Assert.Equal(100m, await service.BalanceAsync(7));
        Assert.Single(await service.HistoryAsync(7));
        Assert.Empty(await service.EventsAsync<BalanceDeducted>());
        Assert.Empty(await service.EventsAsync<BalanceRefunded>());
    }

    [Fact]
    public async Task CommandsAndChargesOfOneUserInterleavedKeepOneGaplessSequenceAndEventOrder()
    {
        await using var service = await BalanceServiceHost.StartAsync();
        const int rounds = 60;
        var orders = Enumerable.Range(0, rounds).Select(_ => Guid.NewGuid()).ToArray();

        // Charges over HTTP and deducts over the bus at once; some deducts find too little money and are rejected.
        var charges = Enumerable.Range(0, rounds).Select(i => service.ChargedAsync(5, 3m + i % 4));
        var deducts = orders.Select(o => service.SendAsync(new DeductBalance(o, 5, 4.5m)));
        await Task.WhenAll(charges.Cast<Task>().Concat(deducts));
        await service.AppliedAsync<DeductBalanceConsumer>(rounds);

        var deducted = await service.EventsAsync<BalanceDeducted>();
        var rejected = await service.EventsAsync<BalanceDeductionRejected>();
        Assert.Equal(rounds, deducted.Count + rejected.Count);
        Assert.All(rejected, r => Assert.Equal(BalanceRejectionReasons.InsufficientBalance, r.Reason));
        Assert.All(rejected, r => Assert.True(r.Balance < r.Amount, $"rejected with {r.Balance} for {r.Amount}"));

        var balance = await service.BalanceAsync(5);
        var history = await service.HistoryAsync(5);
        Assert.Equal(rounds + deducted.Count, history.Count);
        LedgerAssert.Consistent(history, balance);

        // Charged and deducted events together leave the outbox in the user's sequence order.
        var sequenced = (await service.EventsAsync<BalanceCharged>()).Select(c => c.Sequence).Concat(deducted.Select(d => d.Sequence)).ToList();
        Assert.Equal(history.Select(h => h.Sequence), sequenced.Order());
        var inOutboxOrder = await service.InScopeAsync(db => Task.FromResult(OutboxHistory.Rows(db)
            .Where(m => m.MessageType == typeof(BalanceCharged).FullName || m.MessageType == typeof(BalanceDeducted).FullName)
            .OrderBy(m => m.Sequence).Select(m => m.Body).ToList()));
        var sequences = inOutboxOrder.Select(b => System.Text.Json.JsonDocument.Parse(b).RootElement.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
    }
}
