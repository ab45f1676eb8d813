using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Builders for service instances hosted inside the test process, configured only by what the test passes (nothing
/// from the test process's environment), with their logs in the test output.</summary>
public static class InProcessHost
{
    /// <summary>A generic host, as a worker service would be.</summary>
    public static HostApplicationBuilder CreateBuilder(string name, IReadOnlyDictionary<string, string?> configuration, OutputLog log)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = "Test",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        ConfigureLogging(builder.Logging, name, log);
        return builder;
    }

    /// <summary>A web application on an in-memory test server, for the HTTP ops API.</summary>
    public static WebApplicationBuilder CreateWebBuilder(string name, IReadOnlyDictionary<string, string?> configuration, OutputLog log)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Test",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(configuration);
        ConfigureLogging(builder.Logging, name, log);
        return builder;
    }

    static void ConfigureLogging(ILoggingBuilder logging, string name, OutputLog log)
    {
        logging.ClearProviders();
        logging.AddProvider(new OutputLoggerProvider(log, name));
        // INTEGRATION_TEST_LOG_LEVEL=Debug shows everything the hosts say, for a test that needs investigating.
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("INTEGRATION_TEST_LOG_LEVEL"), out var configured)
            ? configured
            : LogLevel.Warning;
        logging.SetMinimumLevel(level);
        logging.AddFilter("ECommerce", level < LogLevel.Information ? level : LogLevel.Information);
    }
}
