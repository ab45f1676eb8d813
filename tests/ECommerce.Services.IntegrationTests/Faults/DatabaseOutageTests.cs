using ECommerce.Testing.Infrastructure;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>PostgreSQL stops (fast shutdown, every connection cut) half-way through a flash sale served by two coupon
/// instances and starts again seconds later. While it is down, a request is answered 503 with Retry-After — never 500 — and
/// the client retries it with the same Idempotency-Key; a record whose handling meets the outage is retried in process and
/// then through the group's retry topics (1 s, 5 s, 15 s), which outlast it, and the relays resume producing. Every invariant
/// of the sale holds, no record is dead-lettered, no request accepted twice.</summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task A_flash_sale_survives_its_database_going_away_for_seconds()
    {
        await using var database = await PostgresCluster.StartAsync();
        await using var environment = await ServiceEnvironment.CreateAsync("db-outage", DatabaseKind.PostgreSql, output, ownDatabase: database);
        using var sale = await TwoInstanceSale.StartAsync(environment);

        Task? outage = null;
        var load = await sale.RunAsync(accepted =>
        {
            if (accepted != sale.Plan.Count / 2)
                return;
            outage = Task.Run(async () =>
            {
                environment.Log.Write($"[test] {accepted} accepted: stopping PostgreSQL");
                await database.StopTemporarilyAsync();
                var until = DateTime.UtcNow + Outage;
                await Poll.UntilAsync(() => DateTime.UtcNow >= until, Outage + TimeSpan.FromSeconds(5), "the outage to last");
                await database.StartAgainAsync();
                environment.Log.Write("[test] PostgreSQL back");
            });
        });
        Assert.NotNull(outage);
        await outage;

        var answers = load.Outcomes.SelectMany(o => o.Failures).GroupBy(f => f[(f.IndexOf(':', StringComparison.Ordinal) + 2)..])
            .ToDictionary(g => g.Key, g => g.Count());
        environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s; refused or failed attempts: " +
            string.Join(", ", answers.Select(a => $"{a.Value} × {a.Key}")));
        Assert.Equal(0, load.UnexpectedAnswers);
        Assert.True(answers.GetValueOrDefault("HTTP 503") > 0, "no request met the outage");
        Assert.Equal(["HTTP 503"], answers.Keys.Where(k => k.StartsWith("HTTP", StringComparison.Ordinal)));

        var verdict = await sale.FinishAsync(load);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());
        Assert.False(sale.First.HasExited || sale.Second.HasExited, "an instance died with the database");
    }
}
