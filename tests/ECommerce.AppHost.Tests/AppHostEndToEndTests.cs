using ECommerce.Testing.Infrastructure;
using ECommerce.AppHost.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests;

/// <summary>The built AppHost as a process, the way a developer runs it: on moved ports and a data directory of its own.</summary>
public sealed class AppHostEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CleanupDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CleansUpAfterACrashThenRunsAgainAndStopsCleanlyOnCtrlC()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "apphost-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            // A first run ends in SIGKILL, as in a crash: the AppHost cannot stop anything, so its orphan guards must.
            var first = await AppHostProcess.StartAsync(Options(dataDirectory, portOffset: null, "first"));
            await using (first)
            {
                var processes = first.FindProcesses();
                var names = processes.Select(ProcessTree.CommandName).ToList();
                Assert.Contains("beam.smp", names);
                Assert.Contains("epmd", names);
                Assert.True(names.Count(name => name == "dotnet") >= 5, string.Join(", ", names)); // the AppHost and 4 services

                ProcessSignals.Kill(first.Pid);
                await Poll.UntilAsync(() => first.FindProcesses().Count == 0, CleanupDeadline,
                    "every process of the killed AppHost to be gone: " + string.Join(", ", first.FindProcesses()));
            }

            // A second run on the same data directory (its lock left behind by the crash) and the same ports starts cleanly
            // and stops on Ctrl+C with exit code 0, leaving nothing behind.
            await using var second = await AppHostProcess.StartAsync(Options(dataDirectory, first.PortOffset, "second"));
            output.WriteLine($"cold start to all healthy: {second.ColdStart?.TotalSeconds:0.0} s");
            Assert.NotNull(second.ColdStart);
            await AssertTraceFollowsRequestIntoTheNextServiceAsync(second);

            var exitCode = await second.StopAsync(TimeSpan.FromSeconds(90));

            Assert.Equal(0, exitCode);
            await Poll.UntilAsync(() => second.FindProcesses().Count == 0, TimeSpan.FromSeconds(5),
                "every process of the stopped AppHost to be gone: " + string.Join(", ", second.FindProcesses()));
            Assert.Contains(second.Output, line => line.Contains("messaging: Stopping -> Stopped", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    /// <summary>A coupon created over HTTP is published through the coupon service's outbox and ingested by the data platform;
    /// the data platform's ingest runs in the trace the HTTP request started. Also: the coupon group's lag is reported per
    /// partition queue with the management API's unacked figure.</summary>
    private static async Task AssertTraceFollowsRequestIntoTheNextServiceAsync(AppHostProcess apphost)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var created = await http.PostAsJsonAsync(new Uri(apphost.ServiceUri("coupon"), "/api/coupons"),
            new { name = "Trace me", discountAmount = 3m, totalQuantity = 10 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var couponId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var traceId = created.Headers.GetValues("traceresponse").Single().Split('-')[1];

        var eventsUri = new Uri(apphost.ServiceUri("data-platform"), "/api/events?topic=coupon-issue&limit=1000");
        JsonElement ingested = default;
        await Poll.UntilAsync(async ct =>
        {
            var events = await http.GetFromJsonAsync<JsonElement>(eventsUri, ct);
            var match = events.EnumerateArray().Where(e => e.GetProperty("payload").GetProperty("couponId").GetGuid() == couponId).ToList();
            ingested = match.FirstOrDefault();
            return match.Count == 1;
        }, TimeSpan.FromSeconds(30), "the data platform to ingest the CouponCreated event");
        Assert.Equal("CouponCreated", ingested.GetProperty("messageType").GetString());
        Assert.Equal(traceId, ingested.GetProperty("traceId").GetString());

        // The management API's figures are statistics refreshed every second: poll until they show every partition consumed.
        var lagUri = new Uri(apphost.ServiceUri("coupon"), "/ops/consumers");
        await Poll.UntilAsync(async ct =>
        {
            var lag = await http.GetFromJsonAsync<JsonElement>(lagUri, ct);
            var partitions = lag.EnumerateArray().Where(q => q.GetProperty("topic").GetString() == "coupon-issue").ToList();
            return partitions.Count == 4 && partitions.All(q =>
                q.GetProperty("consumers").GetInt64() == 1 && q.GetProperty("unacked").ValueKind == JsonValueKind.Number);
        }, TimeSpan.FromSeconds(20), "/ops/consumers to report one consumer and an unacked count on each coupon-issue partition");
    }

    private AppHostProcessOptions Options(string dataDirectory, int? portOffset, string run) => new()
    {
        DataDirectory = dataDirectory,
        PortOffset = portOffset,
        // The test's own environment must not point the AppHost at some other broker.
        Environment = new Dictionary<string, string?> { ["ConnectionStrings__messaging"] = null },
        OnOutput = TestOutput.Forward(output, run),
    };
}
