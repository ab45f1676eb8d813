using Microsoft.Extensions.Hosting;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>A started in-process host that is stopped (gracefully: the bus finishes its in-flight messages, the relay hands
/// its lease back) and then disposed when the test leaves its scope.</summary>
public sealed class RunningHost : IAsyncDisposable
{
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
        try
        {
            await Host.StopAsync(timeout.Token).ConfigureAwait(false);
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
