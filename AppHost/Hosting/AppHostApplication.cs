using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.AppHost.Hosting;

/// <summary>Builds and runs the AppHost: what Program.cs calls, and what a test calls to run the AppHost in its own process.</summary>
public static class AppHostApplication
{
    /// <summary>A host builder configured from <paramref name="args"/> (see <see cref="AppHostCommandLine"/>), the
    /// environment and appsettings.json.</summary>
    /// <exception cref="ArgumentException">The command line is not valid.</exception>
    public static HostApplicationBuilder CreateBuilder(IReadOnlyList<string> args)
    {
        var switches = AppHostCommandLine.Parse(args) ?? throw new ArgumentException("--help is not an AppHost to build.", nameof(args));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(switches);
        return builder.AddECommerceAppHost();
    }

    /// <summary>Runs until Ctrl+C or SIGTERM and returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        HostApplicationBuilder builder;
        try
        {
            if (AppHostCommandLine.Parse(args) is null)
            {
                await Console.Out.WriteLineAsync(AppHostCommandLine.Usage).ConfigureAwait(false);
                return 0;
            }

            builder = CreateBuilder(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + AppHostCommandLine.Usage).ConfigureAwait(false);
            return 2;
        }

        using var host = builder.Build();
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        await host.RunAsync().ConfigureAwait(false);
        return orchestrator.ExitCode;
    }
}
