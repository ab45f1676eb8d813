namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>A deterministic, shuffled mix of charges and deducts over many users. Deducts are about as frequent and somewhat
/// larger than charges, so a user's balance hovers near zero and many deducts find too little money: both outcomes, and the
/// "never negative" edge, are exercised all the time.</summary>
public static class BalancePlan
{
    public static IReadOnlyList<PlannedOperation> Create(int users, int operationsPerUser, int seed)
    {
        var random = new Random(seed);
        var operations = new List<(long User, decimal Amount, bool Charge)>(users * operationsPerUser);
        for (var user = 1L; user <= users; user++)
        {
            for (var i = 0; i < operationsPerUser; i++)
            {
                var charge = random.NextDouble() < 0.55;
                var cents = charge ? random.Next(100, 2_001) : random.Next(100, 3_001);
                operations.Add((user, cents / 100m, charge));
            }
        }

        // Fisher-Yates: every user's operations interleave with everyone else's.
        for (var i = operations.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (operations[i], operations[j]) = (operations[j], operations[i]);
        }

        var plan = new List<PlannedOperation>(operations.Count);
        var id = new byte[16];
        foreach (var (user, amount, charge) in operations)
        {
            random.NextBytes(id);
            plan.Add(new PlannedOperation(plan.Count, user, amount, charge ? null : new Guid(id)));
        }

        return plan;
    }
}
