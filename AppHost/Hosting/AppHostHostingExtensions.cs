using ECommerce.AppHost.Hosting.Model;
using ECommerce.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.AppHost.Hosting;

public static class AppHostHostingExtensions
{
    /// <summary>Time for the services, the broker and the database to stop one after another.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Registers the suite's model (from configuration), the resource registry, the console reporter and the
    /// orchestrator that runs it all.</summary>
    public static IHostApplicationBuilder AddECommerceAppHost(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(AppHostSettings.SectionName).Get<AppHostSettings>() ?? new AppHostSettings();
        var messagingOptions = MessagingOptions.From(builder.Configuration.GetSection(MessagingOptions.SectionName));
        if (settings.RabbitMqNodes < 1)
        {
            throw new ArgumentException($"AppHost:RabbitMqNodes must be 1 or more, not {settings.RabbitMqNodes}.");
        }

        if (settings.RabbitMqNodes > 1)
        {
            // Replicated queues are what a cluster is for: a classic queue lives on one node and dies with it.
            messagingOptions.QueueType = "quorum";
        }
        var externalBroker = builder.Configuration.GetConnectionString(ECommerceSuite.MessagingResourceName);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(messagingOptions);
        builder.Services.AddSingleton(ECommerceSuite.CreateModel(settings,
            string.IsNullOrWhiteSpace(externalBroker) ? null : new Uri(externalBroker), messagingOptions));
        builder.Services.AddSingleton<ResourceRegistry>();
        builder.Services.AddSingleton(services => new ConsoleReporter(services.GetRequiredService<ResourceRegistry>(), Console.Out));
        builder.Services.AddSingleton<Orchestrator>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Orchestrator>());
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout);

        // The console belongs to the resources' output and the orchestrator's reports; the host's own chatter would only
        // interleave with it.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder;
    }
}
