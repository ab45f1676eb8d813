using System.Globalization;
using ECommerce.AppHost.Hosting;
using ECommerce.Testing;
using ECommerce.Testing.Infrastructure;
using ECommerce.AppHost.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests;

/// <summary>The AppHost hosted inside the test, to watch its resource registry and use its orchestrator directly.</summary>
public sealed class AppHostInProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunsOnPostgresRestartsAServiceAndStopsServicesThenBrokerThenDatabase()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "apphost-inproc-" + Guid.NewGuid().ToString("N")[..12]);
        var offset = AppHostProcess.ReserveFreePortOffset();
        var builder = AppHostApplication.CreateBuilder(
            ["--postgres", "--data-dir", dataDirectory, "--port-offset", offset.ToString(CultureInfo.InvariantCulture)]);
        builder.Services.AddSingleton(services => new ConsoleReporter(services.GetRequiredService<ResourceRegistry>(), new OutputWriter(output)));
        await using var host = AppHostApplication.Build(builder);
        var registry = host.Services.GetRequiredService<ResourceRegistry>();
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        var model = host.Services.GetRequiredService<AppModel>();
        var stopping = new List<string>();
        registry.ResourceChanged += (_, e) =>
        {
            if (e.Current.State == ResourceState.Stopping && e.Previous.State != ResourceState.Stopping)
            {
                lock (stopping)
                {
                    stopping.Add(e.Current.Name);
                }
            }
        };

        var stopped = false;
        try
        {
            await host.StartAsync();
            await Poll.UntilAsync(() => AllHealthy(registry), TimeSpan.FromMinutes(3), "every resource to be healthy");

            var coupon = registry.GetSnapshot("coupon")!;
            Assert.StartsWith("Host=127.0.0.1;", coupon.Environment["ConnectionStrings__coupon"], StringComparison.Ordinal);
            Assert.EndsWith(";Database=coupon", coupon.Environment["ConnectionStrings__coupon"], StringComparison.Ordinal);
            Assert.NotEmpty(registry.GetLogs("coupon"));

            await orchestrator.RestartResourceAsync("coupon");

            var restarted = registry.GetSnapshot("coupon")!;
            Assert.Equal(ResourceState.Healthy, restarted.State);
            Assert.Equal(1, restarted.RestartCount);
            Assert.NotEqual(coupon.Pid, restarted.Pid);
            Assert.False(ProcessTree.IsAlive(coupon.Pid!.Value));

            var pids = registry.GetSnapshots().Where(s => s.Pid is not null).Select(s => s.Pid!.Value).ToList();
            var processes = pids.Concat(pids.SelectMany(ProcessTree.DescendantsOf)).ToList();
            var broker = model.Resources.OfType<RabbitMqResource>().Single().Node!;
            processes.Add(broker.EpmdPid);
            var directories = new[] { broker.RootDirectory, model.Resources.OfType<PostgresServerResource>().Single().Cluster!.RootDirectory };

            await host.StopAsync();
            stopped = true;

            Assert.All(registry.GetSnapshots(), s => Assert.Equal(ResourceState.Stopped, s.State));
            Assert.DoesNotContain(processes, ProcessTree.IsAlive);
            Assert.DoesNotContain(directories, Directory.Exists);
            var services = ECommerceSuite.ServiceNames.Select(name => stopping.IndexOf(name)).ToList();
            Assert.True(services.Max() < stopping.IndexOf("messaging"), string.Join(", ", stopping));
            Assert.True(stopping.IndexOf("messaging") < stopping.IndexOf("postgres"), string.Join(", ", stopping));
            Assert.Equal(0, orchestrator.ExitCode);
        }
        finally
        {
            if (!stopped)
            {
                await host.StopAsync();
            }

            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static bool AllHealthy(ResourceRegistry registry)
    {
        var snapshots = registry.GetSnapshots();
        var failed = snapshots.FirstOrDefault(s => s.State is ResourceState.FailedToStart or ResourceState.Exited);
        return failed is not null
            ? throw new InvalidOperationException($"{failed.Name} is {failed.State}: {failed.LastError}")
            : snapshots.All(s => s.State == ResourceState.Healthy);
    }

    /// <summary>The AppHost's console, into the test's output.</summary>
    private sealed class OutputWriter(ITestOutputHelper output) : StringWriter(CultureInfo.InvariantCulture)
    {
        private readonly Action<string> forward = TestOutput.Forward(output, "apphost");

        public override void WriteLine(string? value)
        {
            var line = GetStringBuilder().Append(value).ToString();
            GetStringBuilder().Clear();
            forward(line);
        }
    }
}
