using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.Testing.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.EndToEnd;

/// <summary><c>--replicas 2</c>: every service runs twice, each instance a member of its service's consumer group owning part
/// of the partitions (what <c>/ops/consumers</c> and the <c>ecommerce.consumer.partitions_owned</c> gauge show per instance).
/// Stopping one instance from the dashboard (Aspire's stop command) while a flash sale goes on moves its partitions to the
/// other, and the sale ends with every invariant intact.</summary>
[Collection(SuiteCollection.Name)]
public sealed class ReplicaTests(ITestOutputHelper output)
{
    const int Stock = 40;

    /// <summary>Requests sent after the partitions moved, so that the sale spans the stop whatever the machine's pace.</summary>
    const int RequestsAfterTheMove = 100;

    [Fact]
    public async Task Stopping_one_of_two_instances_mid_sale_moves_its_partitions_and_the_sale_holds()
    {
        await using var suite = await SuiteApp.StartAsync(new SuiteOptions { Replicas = 2, Log = TestOutput.Forward(output, "suite") });
        // The suite is healthy once one instance of each service is; on a busy machine the second can take a minute more.
        var replicas = await HealthyReplicasAsync(suite, "coupon", 2);
        Assert.Equal(2, replicas.Count);
        var shop = new Shop(suite);
        var seen = "";
        await Poll.UntilAsync(async _ =>
            {
                var (owners, partitions) = await OwnersAsync(suite);
                var now = $"{partitions} partitions, owners: {string.Join(", ", owners.Select(o => $"{o.Key} {o.Value}"))}";
                if (now != seen)
                    output.WriteLine(now);
                seen = now;
                return owners.Count == 2;
            }, TimeSpan.FromSeconds(60), "both coupon instances to own part of the group's partitions");

        var (couponId, _) = await shop.CreateCouponAsync(discount: 1m, quantity: Stock);
        var firstUser = Random.Shared.NextInt64(1_000_000, 9_000_000_000);
        var accepted = new ConcurrentBag<Guid>();
        var sent = 0;
        var last = int.MaxValue;
        var sale = Task.Run(async () =>
        {
            // Through Aspire's proxy, which spreads the requests over the instances; a request meeting the stopped instance
            // is retried with its Idempotency-Key, so it is accepted once. The sale goes on until RequestsAfterTheMove more
            // requests were sent after the partitions moved.
            await Parallel.ForEachAsync(Enumerable.Range(0, 4), async (_, _) =>
            {
                int user;
                while ((user = Interlocked.Increment(ref sent)) <= Volatile.Read(ref last))
                    accepted.Add(await RequestWithRetryAsync(suite, couponId, firstUser + user));
            });
        });

        await Poll.UntilAsync(() => accepted.Count >= 60, TimeSpan.FromSeconds(90), "the sale to be under way");
        var victim = replicas[0];
        var stopped = await suite.App.ResourceCommands.ExecuteCommandAsync(victim, "resource-stop");
        Assert.True(stopped.Success, stopped.Message);
        output.WriteLine($"stopped {victim} after {accepted.Count} accepted requests");

        await Poll.UntilAsync(async _ => await OwnersAsync(suite) is { Owners.Count: 1 } now && now.Owners.Values.Single() == now.Partitions,
            TimeSpan.FromSeconds(60), "the remaining instance to own every partition of the group");
        Volatile.Write(ref last, Volatile.Read(ref sent) + RequestsAfterTheMove);
        await sale;
        output.WriteLine($"{accepted.Count} requests accepted in all");

        Assert.Equal(Volatile.Read(ref last), accepted.Count);
        var decisions = new List<JsonElement>();
        foreach (var requestId in accepted)
            decisions.Add(await shop.WaitForDecisionAsync(requestId));
        var issued = decisions.Where(d => d.GetProperty("status").GetString() == "Issued").ToList();
        Assert.Equal(Stock, issued.Count);
        Assert.Equal(Stock, issued.Select(d => d.GetProperty("userId").GetInt64()).Distinct().Count());
        Assert.All(decisions.Where(d => d.GetProperty("status").GetString() == "Rejected"),
            d => Assert.Equal("SoldOut", d.GetProperty("reason").GetString()));
    }

    /// <summary>The replica resources Aspire made of <paramref name="service"/> (<c>coupon-abcdefgh</c>), once each is
    /// healthy.</summary>
    static async Task<List<string>> HealthyReplicasAsync(SuiteApp suite, string service, int count)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        await foreach (var update in suite.App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name == service && update.Snapshot.State?.Text == KnownResourceStates.Running
                && update.Snapshot.HealthStatus == HealthStatus.Healthy)
                ids.Add(update.ResourceId);
            if (ids.Count == count)
                break;
        }

        return ids.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Who owns the coupon group's partitions now (its topics, retry and dead-letter topics), how many each, and how
    /// many partitions the group reads in all. Each instance names itself as the owner of the partitions it owns and no
    /// other (see <c>KafkaLagReader</c>), so the group's picture is put together from several answers: Aspire's proxy picks
    /// an instance per connection, and every request here closes its connection.</summary>
    static async Task<(Dictionary<string, int> Owners, int Partitions)> OwnersAsync(SuiteApp suite)
    {
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        var partitions = 0;
        for (var i = 0; i < 8; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/ops/consumers", UriKind.Relative));
            request.Headers.ConnectionClose = true;
            HttpResponseMessage response;
            try
            {
                response = await suite.Client("coupon").SendAsync(request);
            }
            catch (HttpRequestException)
            {
                // An instance going away under the request.
                continue;
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    continue;
                var lag = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToList();
                partitions = lag.Count;
                foreach (var mine in lag.Where(p => p.GetProperty("owner").ValueKind == JsonValueKind.String)
                             .GroupBy(p => p.GetProperty("owner").GetString()!))
                    owners[mine.Key] = mine.Count();
            }
        }

        return (owners, partitions);
    }

    static async Task<Guid> RequestWithRetryAsync(SuiteApp suite, Guid couponId, long userId)
    {
        var key = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/coupons/{couponId}/issue-requests")
                {
                    Content = JsonContent.Create(new { userId }),
                };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await suite.Client("coupon").SendAsync(request);
                if (response.IsSuccessStatusCode)
                    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requestId").GetGuid();
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                // The instance went away under the request; the same key makes the retry safe.
            }

            if (attempt >= 20)
                throw new InvalidOperationException($"The issue request of user {userId} was not accepted after {attempt} attempts.");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }
}
