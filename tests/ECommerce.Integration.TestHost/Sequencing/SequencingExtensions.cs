using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>The sequencing consumer group wired exactly as a service wires itself: its own database, the platform's
/// messaging, one consumer of the keyed <c>balance-activity</c> topic on the Kafka rider.</summary>
public static class SequencingExtensions
{
    /// <summary>The database's name in <c>ConnectionStrings</c>.</summary>
    public const string ServiceName = "sequence";

    public const string Group = "sequencing";

    /// <param name="endpoint">More configuration of the topic endpoint before the consumer is put on it: an in-process test
    /// host adds a filter that counts every delivery, whether or not the inbox then lets it through.</param>
    public static IHostApplicationBuilder AddSequencing(this IHostApplicationBuilder builder,
        Action<IReceiveEndpointConfigurator, IRiderRegistrationContext>? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(new SequencingInstance(builder.Configuration["Sequencing:Instance"] ?? Environment.ProcessId.ToString(
            System.Globalization.CultureInfo.InvariantCulture)));
        builder.AddPersistence<SequenceDbContext>(ServiceName);
        builder.AddMessaging(Group, x => x.AddRider(rider =>
        {
            rider.AddConsumer<SequenceConsumer>();
            rider.UsingKafka((context, k) => k.TopicEndpoint(Topics.BalanceActivity, Group, e =>
            {
                endpoint?.Invoke(e, context);
                e.ConfigureConsumer<SequenceConsumer>(context);
            }));
        }));
        return builder;
    }
}
