using ECommerce.AppHost.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.AppHost.Hosting;

/// <summary>Builds and runs the AppHost: what Program.cs calls, and what a test calls to run the AppHost in its own process.</summary>
public static class AppHostApplication
{
    /// <summary>A web application builder configured from <paramref name="args"/> (see <see cref="AppHostCommandLine"/>), the
    /// environment and appsettings.json: the orchestrator plus the dashboard it serves.</summary>
    /// <exception cref="ArgumentException">The command line is not valid.</exception>
    public static WebApplicationBuilder CreateBuilder(IReadOnlyList<string> args)
    {
        var switches = AppHostCommandLine.Parse(args) ?? throw new ArgumentException("--help is not an AppHost to build.", nameof(args));
        // Args stay out of the builder: the AppHost's switches are not the generic command-line provider's syntax.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Configuration.AddInMemoryCollection(switches);
        builder.AddECommerceAppHost();
        builder.AddDashboard();
        return builder;
    }

    /// <summary>Builds the application from <paramref name="builder"/> with the dashboard's endpoints mapped.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.MapDashboard();
        return app;
    }

    /// <summary>Runs until Ctrl+C or SIGTERM and returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        WebApplicationBuilder builder;
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

        await using var host = Build(builder);
        var orchestrator = host.Services.GetRequiredService<Orchestrator>();
        await host.RunAsync().ConfigureAwait(false);
        return orchestrator.ExitCode;
    }
}
