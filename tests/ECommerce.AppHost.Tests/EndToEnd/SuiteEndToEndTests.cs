using System.Net;
using System.Reflection.PortableExecutable;
using Aspire.Hosting.ApplicationModel;
using ECommerce.AppHost.Tests.Suite;
using ECommerce.Contracts.Coupons;
using ECommerce.Testing.Infrastructure;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.EndToEnd;

/// <summary>The AppHost as a developer runs it (its Program.cs and every resource), through Aspire.Hosting.Testing.</summary>
[Collection(SuiteCollection.Name)]
public sealed class SuiteEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task On_SQLite_the_suite_starts_healthy_sells_and_orders_and_stops_leaving_no_process()
    {
        await using var suite = await SuiteApp.StartAsync(new SuiteOptions
        {
            Log = TestOutput.Forward(output, "suite"),
            // A poison message reaches the dead letters in seconds.
            Configuration = new Dictionary<string, string>
            {
                ["Messaging:RetryIntervals:0"] = "00:00:00.050",
                ["Messaging:RedeliveryIntervals:0"] = "00:00:01",
            },
        });
        output.WriteLine($"cold start to all healthy: {suite.StartedIn.TotalSeconds:0.0} s");
        foreach (var resource in (string[])["messaging", "messaging-1", .. SuiteApp.Services])
        {
            var snapshot = suite.Snapshot(resource);
            Assert.Equal(KnownResourceStates.Running, snapshot.State?.Text);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, snapshot.HealthStatus);
        }

        foreach (var service in SuiteApp.Services)
            AssertRunsItsBuiltProgram(suite.Snapshot(service));

        await SuiteScenario.RunAsync(suite);
        await DeadLetterCommandsAsync(suite);

        await suite.StopAsync();
        Assert.Empty(suite.LeftoverProcesses());
    }

    [Fact]
    public async Task On_PostgreSQL_each_service_gets_its_own_database_and_the_scenario_holds()
    {
        await using var suite = await SuiteApp.StartAsync(new SuiteOptions { Postgres = true, Log = TestOutput.Forward(output, "suite") });
        foreach (var service in SuiteApp.Services)
        {
            var database = suite.Snapshot($"{service}-db");
            Assert.Equal(KnownResourceStates.Running, database.State?.Text);
            Assert.Contains($"Database={service}", await suite.ConnectionStringAsync($"{service}-db"), StringComparison.Ordinal);
        }

        await SuiteScenario.RunAsync(suite);
        await suite.StopAsync();
        Assert.Empty(suite.LeftoverProcesses());
    }

    /// <summary>The process Aspire started for a service is the service's built program itself (<c>dotnet exec</c> of its
    /// assembly), not a <c>dotnet run</c> that evaluates the project first and then starts the program as its child, and the
    /// shared assemblies it runs are the ReadyToRun images the AppHost's build prepared beside it, not JIT-only IL.</summary>
    static void AssertRunsItsBuiltProgram(CustomResourceSnapshot snapshot)
    {
        var pid = Assert.IsType<int>(snapshot.Properties.Single(p => p.Name == "executable.pid").Value);
        var command = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("dotnet", Path.GetFileName(command[0]));
        Assert.Equal("exec", command[1]);
        Assert.EndsWith(".dll", command[2], StringComparison.Ordinal);
        Assert.True(File.Exists(command[2]), command[2]);

        var programDirectory = Path.GetDirectoryName(command[2])!;
        var mapped = File.ReadLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(5))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        foreach (var shared in (string[])["MassTransit.dll", "Microsoft.EntityFrameworkCore.dll", "Confluent.Kafka.dll"])
        {
            var path = Path.Combine(programDirectory, shared);
            Assert.Contains(path, mapped);
            Assert.True(IsReadyToRun(path), $"{path} is not a ReadyToRun image");
        }
    }

    static bool IsReadyToRun(string assembly)
    {
        using var reader = new PEReader(File.OpenRead(assembly));
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    /// <summary>The dashboard's dead-letter commands of a service, run as the dashboard runs them: a poison message is
    /// dead-lettered, an unknown id is refused, the message is re-driven by id, fails again, and is discarded.</summary>
    static async Task DeadLetterCommandsAsync(SuiteApp suite)
    {
        var shop = new Shop(suite);
        var (couponId, _) = await shop.CreateCouponAsync(discount: 1m, quantity: 1);
        var messageId = Guid.NewGuid();
        await CouponRequestPublisher.PublishAsync(suite, messageId, new CouponIssueRequested(Guid.NewGuid(), couponId, 42, DateTimeOffset.UtcNow));
        var letterId = await WaitForDeadLetterAsync(shop, messageId);

        var commands = suite.App.ResourceCommands;
        var unknown = await commands.ExecuteCommandAsync("coupon", "redrive-dead-letter", Arguments(Guid.NewGuid().ToString()));
        Assert.False(unknown.Success);
        var malformed = await commands.ExecuteCommandAsync("coupon", "discard-dead-letter", Arguments("not-a-guid"));
        Assert.False(malformed.Success);

        var redriven = await commands.ExecuteCommandAsync("coupon", "redrive-dead-letter", Arguments(letterId.ToString()));
        Assert.True(redriven.Success, redriven.Message);
        // The request is still unknown to the coupon service: it fails its retries again and comes back, a new letter.
        var again = await WaitForDeadLetterAsync(shop, messageId);
        Assert.NotEqual(letterId, again);

        var discarded = await commands.ExecuteCommandAsync("coupon", "discard-dead-letters");
        Assert.True(discarded.Success, discarded.Message);
        Assert.Empty((await shop.GetAsync("coupon", "/ops/dead-letters")).EnumerateArray());
    }

    static async Task<Guid> WaitForDeadLetterAsync(Shop shop, Guid messageId)
    {
        Guid? id = null;
        await Poll.UntilAsync(async _ =>
        {
            var letters = await shop.GetAsync("coupon", "/ops/dead-letters");
            id = letters.EnumerateArray().Where(l => l.GetProperty("messageId").GetGuid() == messageId)
                .Select(l => (Guid?)l.GetProperty("id").GetGuid()).FirstOrDefault();
            return id is not null;
        }, TimeSpan.FromSeconds(60), $"message {messageId} to be dead-lettered");
        return id!.Value;
    }

    static Aspire.Hosting.InteractionInputCollection Arguments(string id) =>
        new([new Aspire.Hosting.InteractionInput { Name = "id", InputType = Aspire.Hosting.InputType.Text, Value = id }]);
}
