extern alias balance;

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using balance::ECommerce.Balance;
using balance::ECommerce.Balance.Data;
using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace ECommerce.Component.Tests.Balance;

/// <summary>The real balance service, built from its own <c>AddBalanceService</c>/<c>UseBalanceService</c> on a test server:
/// a SQLite file of its own, the in-memory transport, and the test harness observing its bus. One per test.</summary>
public sealed class BalanceServiceHost : IAsyncDisposable
{
    readonly TempDirectory _directory;
    readonly WebApplication _app;

    BalanceServiceHost(TempDirectory directory, WebApplication app)
    {
        _directory = directory;
        _app = app;
    }

    /// <summary>Set once the server has started.</summary>
    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public MessageTap Tap => Services.GetRequiredService<MessageTap>();

    public static async Task<BalanceServiceHost> StartAsync()
    {
        var directory = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:balance"] = $"Data Source={directory.File("balance.db")}";
        builder.Configuration["Messaging:Transport"] = "InMemory";
        builder.Configuration["Messaging:OutboxPollInterval"] = "00:00:00.100";
        // A failing consumer exhausts its retry budget in well under a second and shows up as a dead letter.
        builder.Configuration["Messaging:RetryIntervals:0"] = "00:00:00.010";
        builder.Configuration["Messaging:RetryIntervals:1"] = "00:00:00.010";
        builder.Configuration["Messaging:RedeliveryIntervals:0"] = "00:00:00.050";
        builder.Configuration["Messaging:RedeliveryIntervals:1"] = "00:00:00.050";
        builder.AddBalanceService();
        builder.Services.AddObservingTestHarness();
        var app = builder.Build();
        app.UseBalanceService();
        var host = new BalanceServiceHost(directory, app);
        try
        {
            await app.StartAsync();
            await host.InScopeAsync(OutboxHistory.InstallAsync);
            host.Client = app.GetTestClient();
            var bus = app.Services.GetRequiredService<IBusControl>();
            await Eventually.TrueAsync(() => bus.CheckHealth().Status == BusHealthStatus.Healthy, "the balance service's bus to be ready");
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    public async Task<T> InScopeAsync<T>(Func<BalanceDbContext, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<BalanceDbContext>());
    }

    /// <summary>Puts a command on balance-commands exactly as a producer's relay does, keyed by its user; the same
    /// <paramref name="messageId"/> twice is a redelivery of one message.</summary>
    public async Task<Guid> SendAsync(object command, Guid? messageId = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = messageId ?? NewId.NextGuid();
        await Services.GetRequiredService<OutboxPublisher>().PublishAsync(OutboxBatch.Row(command, id, DateTimeOffset.UtcNow), CancellationToken.None);
        return id;
    }

    /// <summary>Waits until <typeparamref name="TConsumer"/> has applied <paramref name="count"/> distinct messages (its inbox
    /// rows, written in the same transaction as the effect); fails at once if anything was dead-lettered.</summary>
    public Task AppliedAsync<TConsumer>(int count) =>
        Eventually.UntilAsync(() => InScopeAsync(async db =>
            {
                var dead = await db.DeadLetters.AsNoTracking().Select(d => d.Exception).FirstOrDefaultAsync();
                Assert.True(dead is null, $"a message was dead-lettered: {dead}");
                return await db.InboxMessages.CountAsync(m => m.Consumer == typeof(TConsumer).FullName);
            }),
            applied => applied >= count, $"{count} messages applied by {typeof(TConsumer).Name}");

    /// <summary>Nothing was dead-lettered.</summary>
    public async Task NoDeadLettersAsync() =>
        Assert.Empty(await InScopeAsync(db => db.DeadLetters.AsNoTracking().Select(d => d.Exception).ToListAsync()));

    /// <summary>The events of type <typeparamref name="T"/> the service produced, in outbox (publish) order.</summary>
    public Task<List<T>> EventsAsync<T>() => InScopeAsync(async db => (await OutboxHistory.Rows(db)
            .Where(m => m.MessageType == typeof(T).FullName).OrderBy(m => m.Sequence).ToListAsync())
        .Select(m => JsonSerializer.Deserialize<T>(m.Body, MessageJson.Options)!).ToList());

    public async Task<HttpResponseMessage> ChargeAsync(long userId, object body, string? idempotencyKey = null) =>
        await ChargeAsync(userId.ToString(CultureInfo.InvariantCulture), JsonContent.Create(body), idempotencyKey);

    public async Task<HttpResponseMessage> ChargeAsync(string userId, HttpContent content, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/users/{userId}/balance/charges", UriKind.Relative))
        {
            Content = content,
        };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request);
    }

    /// <summary>Charges and returns the balance the service answered, failing on anything but 200.</summary>
    public async Task<decimal> ChargedAsync(long userId, decimal amount, string? idempotencyKey = null)
    {
        using var response = await ChargeAsync(userId, new { amount }, idempotencyKey);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(userId, body.GetProperty("userId").GetInt64());
        return body.GetProperty("balance").GetDecimal();
    }

    public async Task<decimal> BalanceAsync(long userId)
    {
        var body = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/users/{userId}/balance", UriKind.Relative));
        Assert.Equal(userId, body.GetProperty("userId").GetInt64());
        return body.GetProperty("balance").GetDecimal();
    }

    public async Task<List<HistoryRow>> HistoryAsync(long userId)
    {
        var body = await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/users/{userId}/balance/history", UriKind.Relative));
        return body.EnumerateArray().Select(e => new HistoryRow(
            e.GetProperty("sequence").GetInt64(),
            e.GetProperty("type").GetString()!,
            e.GetProperty("amount").GetDecimal(),
            e.GetProperty("balanceAfter").GetDecimal(),
            e.GetProperty("orderId").ValueKind == JsonValueKind.Null ? null : e.GetProperty("orderId").GetGuid(),
            e.GetProperty("at").GetDateTimeOffset())).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        var connectionString = Services.GetRequiredService<DatabaseConnection>().ConnectionString;
        try
        {
            Client?.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        finally
        {
            // Pooled connections would keep the file open after the host is gone.
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
            _directory.Dispose();
        }
    }
}
