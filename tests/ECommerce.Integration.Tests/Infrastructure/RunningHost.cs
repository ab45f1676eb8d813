using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>A started in-process host that is stopped (gracefully: the consumer finishes the record in hand and commits, the
/// relay hands its lease back) and then disposed when the test leaves its scope.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    /// <summary>A stop that takes longer than this is worth a line in the test's output: something held it (a partition worker
    /// whose record in hand does not finish holds its member's stop for up to 10 s before it is abandoned).</summary>
    static readonly TimeSpan SlowStop = TimeSpan.FromSeconds(5);

    RunningHost(IHost host) => Host = host;

    public IHost Host { get; }

    public IServiceProvider Services => Host.Services;

    public static async Task<RunningHost> StartAsync(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        await host.StartAsync().ConfigureAwait(false);
        return new RunningHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        try
        {
            await Host.StopAsync(timeout.Token).ConfigureAwait(false);
            if (clock.Elapsed > SlowStop)
                Host.Services.GetService<ILoggerFactory>()?.CreateLogger<RunningHost>().LogWarning("The host took {Seconds:0.0} s to stop", clock.Elapsed.TotalSeconds);
        }
        finally
        {
            if (Host is IAsyncDisposable asyncDisposable)
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            else
                Host.Dispose();
        }
    }
}
