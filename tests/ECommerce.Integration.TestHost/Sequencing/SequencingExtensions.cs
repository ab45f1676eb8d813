using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>The sequencing consumer group wired exactly as a service wires itself: its own database, the platform's
/// messaging, one consumer of the keyed <c>balance-activity</c> topic.</summary>
public static class SequencingExtensions
{
    /// <summary>The database's name in <c>ConnectionStrings</c>.</summary>
    public const string ServiceName = "sequence";

    public const string Group = "sequencing";

    public static IHostApplicationBuilder AddSequencing(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new SequencingInstance(builder.Configuration["Sequencing:Instance"] ?? Environment.ProcessId.ToString(
            System.Globalization.CultureInfo.InvariantCulture)));
        builder.AddPersistence<SequenceDbContext>(ServiceName);
        builder.AddMessaging(Group, m => m.Consume<SequenceConsumer>(Topics.BalanceActivity));
        return builder;
    }
}
