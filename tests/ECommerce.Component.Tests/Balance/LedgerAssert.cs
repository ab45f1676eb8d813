using Xunit;

namespace ECommerce.Component.Tests.Balance;

/// <summary>The invariants of one user's history: sequences 1..n without gaps, each balanceAfter the running sum of the
/// signed amounts, never negative, and the last one the balance.</summary>
public static class LedgerAssert
{
    public static void Consistent(IReadOnlyList<HistoryRow> history, decimal balance)
    {
        ArgumentNullException.ThrowIfNull(history);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), history.Select(h => h.Sequence));
        var running = 0m;
        foreach (var row in history)
        {
            running += row.Type == "Deducted" ? -row.Amount : row.Amount;
            Assert.True(row.BalanceAfter == running, $"sequence {row.Sequence}: balanceAfter {row.BalanceAfter}, running sum {running}");
            Assert.True(row.BalanceAfter >= 0, $"sequence {row.Sequence}: negative balance {row.BalanceAfter}");
        }

        Assert.Equal(running, balance);
    }
}
