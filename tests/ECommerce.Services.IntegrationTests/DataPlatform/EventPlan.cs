using ECommerce.Contracts.Balances;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using ECommerce.Contracts.Users;

namespace ECommerce.Services.IntegrationTests.DataPlatform;

/// <summary>A deterministic mix of events over every domain topic, and the order they are published in: every event once,
/// and a tenth of them a second time under the same message id (a producer's re-publish), at a random later point.</summary>
public sealed class EventPlan
{
    EventPlan(IReadOnlyList<PlannedEvent> distinct, IReadOnlyList<PlannedEvent> publications)
    {
        Distinct = distinct;
        Publications = publications;
    }

    public IReadOnlyList<PlannedEvent> Distinct { get; }

    /// <summary>What is published, in order, duplicates included.</summary>
    public IReadOnlyList<PlannedEvent> Publications { get; }

    public static EventPlan Create(int events, int seed)
    {
        var random = new Random(seed);
        var products = Enumerable.Range(0, 60).Select(_ => Guid.NewGuid()).ToArray();
        var coupons = Enumerable.Range(0, 25).Select(_ => Guid.NewGuid()).ToArray();
        var at = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        var distinct = new List<PlannedEvent>(events);
        for (var i = 0; i < events; i++)
        {
            long user = random.Next(1, 800);
            object message = random.Next(100) switch
            {
                < 25 => Order(random, products, user, at),
                < 40 => new CouponIssued(Guid.NewGuid(), coupons[random.Next(coupons.Length)], user, Guid.NewGuid(), random.Next(1000), at),
                < 50 => new CouponIssueRequested(Guid.NewGuid(), coupons[random.Next(coupons.Length)], user, at),
                < 65 => new BalanceCharged(Guid.NewGuid(), user, Cents(random, 100, 500_000), Cents(random, 100, 900_000), i, at),
                < 72 => new BalanceDeducted(Guid.NewGuid(), user, Cents(random, 100, 50_000), Cents(random, 0, 900_000), i, at),
                < 85 => new StockReserved(Guid.NewGuid(), products[random.Next(products.Length)], random.Next(1, 5), random.Next(1000), at),
                _ => new UserPlacedOrder(user, Guid.NewGuid(), Cents(random, 100, 90_000), at),
            };
            distinct.Add(new PlannedEvent(Guid.NewGuid(), message));
        }

        var publications = new List<PlannedEvent>(distinct);
        foreach (var duplicate in distinct.Where((_, i) => i % 10 == 3))
            publications.Insert(random.Next(publications.IndexOf(duplicate) + 1, publications.Count + 1), duplicate);
        return new EventPlan(distinct, publications);
    }

    static OrderCompleted Order(Random random, Guid[] products, long user, DateTimeOffset at)
    {
        var lines = Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
        {
            var quantity = random.Next(1, 6);
            var price = Cents(random, 100, 20_000);
            return new OrderLine(products[random.Next(products.Length)], quantity, price, price * quantity);
        }).ToList();
        var total = lines.Sum(l => l.Amount);
        var discount = random.Next(4) == 0 ? Math.Min(total, 5m) : 0m;
        return new OrderCompleted(Guid.NewGuid(), user, lines, total, discount, total - discount, discount > 0 ? Guid.NewGuid() : null, at);
    }

    static decimal Cents(Random random, int min, int max) => random.Next(min, max) / 100m;
}
