using ECommerce.Testing.Records;
using System.Globalization;

namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>Checks the outcome of a load against the plan, the tables and the events read back from balance-activity, and
/// returns every violation found (none when all holds).</summary>
public static class BalanceVerifier
{
    public static List<string> Verify(IReadOnlyList<PlannedOperation> plan, IReadOnlyList<EntryRow> entries,
        IReadOnlyList<(long UserId, long BalanceCents, long Sequence)> accounts, IReadOnlyList<(Guid OrderId, string Reason)> decisions,
        IReadOnlyList<ObservedEvent> observed, int partitions)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(observed);
        var violations = new List<string>();
        void Fail(string text) => violations.Add(text);

        var deducted = entries.Where(e => e.Type == "Deducted").ToDictionary(e => e.OrderId!.Value);
        var refused = decisions.ToDictionary(d => d.OrderId, d => d.Reason);
        foreach (var deduct in plan.Where(o => !o.IsCharge))
        {
            var orderId = deduct.OrderId!.Value;
            var wasDeducted = deducted.TryGetValue(orderId, out var entry);
            var wasRefused = refused.TryGetValue(orderId, out var reason);
            if (wasDeducted == wasRefused)
                Fail($"order {orderId}: deducted {wasDeducted}, refused {wasRefused} — exactly one expected");
            if (wasDeducted && (entry!.UserId != deduct.UserId || entry.AmountCents != Cents(deduct.Amount)))
                Fail($"order {orderId}: deducted {entry.AmountCents} from user {entry.UserId}, planned {deduct.Amount} from {deduct.UserId}");
            if (wasRefused && reason != "InsufficientBalance")
                Fail($"order {orderId}: refused for {reason}");
        }

        var accountsByUser = accounts.ToDictionary(a => a.UserId);
        var seen = observed.DistinctBy(o => o.MessageId).ToList();
        foreach (var user in plan.GroupBy(o => o.UserId))
        {
            var history = entries.Where(e => e.UserId == user.Key).OrderBy(e => e.Sequence).ToList();
            var charges = user.Where(o => o.IsCharge).ToList();
            if (history.Count(e => e.Type == "Charged") != charges.Count)
                Fail($"user {user.Key}: {history.Count(e => e.Type == "Charged")} charges recorded, {charges.Count} made");
            if (history.Sum(e => e.Type == "Charged" ? e.AmountCents : 0) != charges.Sum(c => Cents(c.Amount)))
                Fail($"user {user.Key}: charged cents differ from the plan");

            var running = 0L;
            for (var i = 0; i < history.Count; i++)
            {
                var e = history[i];
                running += e.Type == "Deducted" ? -e.AmountCents : e.AmountCents;
                if (e.Sequence != i + 1)
                    Fail($"user {user.Key}: entry {i} has sequence {e.Sequence}");
                if (e.BalanceAfterCents != running)
                    Fail($"user {user.Key}: sequence {e.Sequence} balanceAfter {e.BalanceAfterCents}, running sum {running}");
                if (e.BalanceAfterCents < 0)
                    Fail($"user {user.Key}: negative balance at sequence {e.Sequence}");
            }

            var expected = charges.Sum(c => Cents(c.Amount)) - history.Where(e => e.Type == "Deducted").Sum(e => e.AmountCents);
            if (!accountsByUser.TryGetValue(user.Key, out var account))
                Fail($"user {user.Key}: no account");
            else if (account.BalanceCents != expected || account.BalanceCents != running || account.Sequence != history.Count)
                Fail(string.Create(CultureInfo.InvariantCulture,
                    $"user {user.Key}: account {account.BalanceCents} at {account.Sequence}, expected {expected} at {history.Count}"));

            // Events: all of a user's on the partition its id hashes to; every change exactly once and in sequence order; one
            // rejection event per refused order.
            var partition = KeyPartitioner.PartitionOf(user.Key.ToString(CultureInfo.InvariantCulture), partitions);
            if (seen.FirstOrDefault(o => o.UserId == user.Key && o.Partition != partition) is { } misplaced)
                Fail($"user {user.Key}: an event on balance-activity partition {misplaced.Partition}, the key hashes to {partition}");
            var sequenced = seen.Where(o => o.UserId == user.Key && o.Sequence is not null).Select(o => o.Sequence!.Value).ToList();
            if (!sequenced.SequenceEqual(Enumerable.Range(1, history.Count).Select(s => (long)s)))
                Fail($"user {user.Key}: balance-activity carried sequences [{string.Join(",", sequenced.Take(30))}…] for {history.Count} changes");
            var refusedHere = user.Count(o => !o.IsCharge && refused.ContainsKey(o.OrderId!.Value));
            var rejections = seen.Count(o => o.UserId == user.Key && o.Type == "BalanceDeductionRejected");
            if (rejections != refusedHere)
                Fail($"user {user.Key}: {rejections} rejection events for {refusedHere} refused orders");
        }

        return violations;
    }

    static long Cents(decimal amount) => decimal.ToInt64(amount * 100m);
}
