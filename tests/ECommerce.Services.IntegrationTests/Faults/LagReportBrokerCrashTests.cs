using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>An instance's lag report survives its broker dying under it. The report asks the broker for end offsets and the
/// group's commits while the lag gauge samples it every 50 ms and four clients read <c>/ops/consumers</c> without pause; the
/// broker is SIGKILLed and started again three times. The instance must live through it (the lag report once asked the group
/// coordinator through librdkafka's admin client, which aborts the process when such a request meets a connection that
/// drops: an instance died that way in the broker-crash test), answer only 200 or 503 with a problem (never a 500), and
/// afterwards report every partition of its group again, owned by itself, with no lag.</summary>
public sealed class LagReportBrokerCrashTests(ITestOutputHelper output)
{
    const int Crashes = 3;

    static readonly Dictionary<string, string> Settings = new(StringComparer.Ordinal) { ["Messaging__OpsSampleInterval"] = "00:00:00.050" };

    [Fact]
    public async Task The_lag_report_outlives_broker_crashes_and_answers_503_while_the_broker_is_down()
    {
        await using var broker = await KafkaNode.StartAsync(Brokers.Options());
        await using var environment = await ServiceEnvironment.CreateAsync("lag-crash", DatabaseKind.Sqlite, output, ownBroker: broker);
        var instance = await FlashSaleScenario.StartInstanceAsync(environment, "instance", Settings);
        await instance.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, instance);

        using var client = new HttpClient { BaseAddress = instance.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var answers = new ConcurrentDictionary<HttpStatusCode, int>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && !instance.HasExited)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("ops/consumers", UriKind.Relative), stop.Token);
                    answers.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                    if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
                        failures.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(stop.Token)}");
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable
                             && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        failures.Enqueue($"a 503 without a problem: {response.Content.Headers.ContentType}");
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"no answer: {e.Message}");
                }
            }
        })).ToList();

        for (var crash = 1; crash <= Crashes; crash++)
        {
            var unavailable = answers.GetValueOrDefault(HttpStatusCode.ServiceUnavailable);
            environment.Log.Write($"[test] crash {crash}: killing the broker (pid {broker.Pid}) with SIGKILL");
            await broker.KillAsync();
            await Poll.UntilAsync(() => answers.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > unavailable || instance.HasExited,
                TimeSpan.FromSeconds(60), "a 503 from /ops/consumers while the broker is down");
            await broker.StartAgainAsync();
            var ok = answers.GetValueOrDefault(HttpStatusCode.OK);
            await Poll.UntilAsync(() => answers.GetValueOrDefault(HttpStatusCode.OK) > ok + 10 || instance.HasExited,
                TimeSpan.FromSeconds(60), "/ops/consumers to answer again once the broker is back");
            Assert.False(instance.HasExited, $"the instance died with the broker (crash {crash}):{Environment.NewLine}{instance.RecentOutput}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        environment.Log.Write("[test] answers: " + string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{(int)a.Key} × {a.Value}")));
        Assert.False(instance.HasExited, $"the instance died:{Environment.NewLine}{instance.RecentOutput}");
        Assert.Empty(failures);

        // Back to normal: every partition of the group listed, each owned by this instance (its only member), nothing behind.
        var expected = environment.Messaging.PartitionsOf(Topics.CouponIssue);
        using var api = new CouponApi(instance.BaseAddress, 1);
        List<JsonElement> report = [];
        await Poll.UntilAsync(async _ =>
        {
            try
            {
                report = (await api.ConsumersAsync()).EnumerateArray().ToList();
            }
            catch (HttpRequestException)
            {
                // A 503: the broker is not answering this report yet.
                return false;
            }

            return report.Count(p => p.GetProperty("topic").GetString() == Topics.CouponIssue) == expected
                && report.All(p => instance.IsClient(p.GetProperty("owner").GetString()) && p.GetProperty("ready").GetInt64() == 0);
        }, TimeSpan.FromSeconds(60), "the group's partitions all owned by the instance again, with no lag");
        Assert.All(report, p => Assert.Equal(1, p.GetProperty("consumers").GetInt64()));
    }
}
