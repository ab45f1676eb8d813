extern alias dataplatform;

using System.Text.Json;
using dataplatform::ECommerce.DataPlatform;
using dataplatform::ECommerce.DataPlatform.Data;
using dataplatform::ECommerce.DataPlatform.Log;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ECommerce.Component.Tests.DataPlatform;

/// <summary>The data platform built from its own <c>AddDataPlatformService</c>/<c>UseDataPlatformService</c> on a test server
/// with a SQLite file, with no broker: log batches are handed to its <see cref="LogIngestor"/> as the live ingest would, each in
/// a transaction of its own.</summary>
public sealed class DataPlatformHost : IAsyncDisposable
{
    readonly TempDirectory _directory;
    readonly WebApplication _app;
    long _nextOffset;

    DataPlatformHost(TempDirectory directory, WebApplication app)
    {
        _directory = directory;
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public static async Task<DataPlatformHost> StartAsync()
    {
        var directory = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:data-platform"] = $"Data Source={directory.File("data-platform.db")}";
        builder.Configuration["Messaging:Transport"] = "InMemory";
        builder.AddDataPlatformService();
        var app = builder.Build();
        app.UseDataPlatformService();
        await app.StartAsync();
        return new DataPlatformHost(directory, app);
    }

    /// <summary>A record of <paramref name="message"/> at the next offset of its topic's first partition.</summary>
    public LogItem Record(object message, Guid messageId)
    {
        var descriptor = MessageCatalog.Describe(message.GetType());
        return new LogItem(new LogPartition(descriptor.Topic.Name, 0), _nextOffset++,
            new LogRecord(messageId, message, JsonSerializer.Serialize(message, message.GetType(), MessageJson.Options),
                descriptor.PartitionKeyOf(message), DateTimeOffset.UtcNow, null), null);
    }

    public LogItem Poison(string topic) =>
        new(new LogPartition(topic, 0), _nextOffset++, null, new LogPoison(null, null, "broken", "{}", null, null));

    /// <summary>Applies one batch in its own transaction; returns the new events it added.</summary>
    public async Task<int> ApplyAsync(params LogItem[] items)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var added = await _app.Services.GetRequiredService<LogIngestor>().ApplyAsync(db, items, CancellationToken.None);
        await transaction.CommitAsync();
        return added;
    }

    public async Task<T> QueryAsync<T>(Func<DataPlatformDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<DataPlatformDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_app.Services.GetRequiredService<DatabaseConnection>().ConnectionString))
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}
