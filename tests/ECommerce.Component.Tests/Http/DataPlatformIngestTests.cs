extern alias dataplatform;

using System.Net.Http.Json;
using System.Text.Json;
using dataplatform::ECommerce.DataPlatform;
using ECommerce.Component.Tests.Contracts;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.Contracts.Topology;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ECommerce.Component.Tests.Http;

/// <summary>The data platform, a consumer of every domain topic, built from its own <c>AddDataPlatformService</c>/
/// <c>UseDataPlatformService</c> on a test server: each domain topic's events reach the event log once per message id.</summary>
public sealed class DataPlatformIngestTests
{
    [Fact]
    public async Task EveryDomainEventIsIngestedOncePerMessageIdAndDuplicatesAreAcknowledged()
    {
        using var dir = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:data-platform"] = $"Data Source={dir.File("data-platform.db")}";
        builder.Configuration["Messaging:Transport"] = "InMemory";
        builder.AddDataPlatformService();
        builder.Services.AddObservingTestHarness();
        await using var app = builder.Build();
        app.UseDataPlatformService();
        await app.StartAsync();
        try
        {
            using var client = app.GetTestClient();
            var bus = app.Services.GetRequiredService<IBusControl>();
            await Eventually.TrueAsync(() => bus.CheckHealth().Status == BusHealthStatus.Healthy, "the data platform's bus to be ready");
            var tap = app.Services.GetRequiredService<MessageTap>();

            // Every event type of every domain topic, each delivered twice under one message id.
            var events = MessageCatalog.ContractTypes
                .Where(t => !MessageCatalog.Describe(t).Topic.IsCommandChannel)
                .Select(t => (Type: t, Id: NewId.NextGuid()))
                .ToList();
            var publisher = app.Services.GetRequiredService<ECommerce.ServiceDefaults.Messaging.Outbox.OutboxPublisher>();
            foreach (var (type, id) in events)
            {
                for (var copy = 0; copy < 2; copy++)
                    await publisher.PublishAsync(Row(type, id), CancellationToken.None);
            }

            await Eventually.TrueAsync(() => events.All(e => tap.ConsumedWithId(e.Id).Count(c => c.Succeeded) == 2),
                "every copy of every event to be consumed");
            var log = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/events?limit=1000", UriKind.Relative));
            var ingested = log.EnumerateArray().ToList();

            Assert.Equal(events.Count, ingested.Count);
            foreach (var (type, id) in events)
            {
                var entry = Assert.Single(ingested, e => e.GetProperty("messageId").GetGuid() == id);
                Assert.Equal(MessageCatalog.Describe(type).Topic.Name, entry.GetProperty("topic").GetString());
                Assert.Equal(type.Name, entry.GetProperty("messageType").GetString());
            }

            Assert.Equal(TopicCatalog.All.Where(t => !t.IsCommandChannel).Select(t => t.Name).Order(StringComparer.Ordinal),
                ingested.Select(e => e.GetProperty("topic").GetString()).Distinct().Order(StringComparer.Ordinal));
        }
        finally
        {
            await app.StopAsync();
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(app.Services.GetRequiredService<DatabaseConnection>().ConnectionString);
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        }
    }

    static ECommerce.ServiceDefaults.Messaging.Outbox.OutboxMessage Row(Type type, Guid id)
    {
        var message = CanonicalInstances.Create(type);
        var descriptor = MessageCatalog.Describe(type);
        return new ECommerce.ServiceDefaults.Messaging.Outbox.OutboxMessage
        {
            Id = id,
            Topic = descriptor.Topic.Name,
            PartitionKey = descriptor.PartitionKeyOf(message),
            MessageType = type.FullName!,
            Body = JsonSerializer.Serialize(message, type, MessageJson.Options),
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }
}
