extern alias order;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
using OrderDbContext = order::ECommerce.Order.Data.OrderDbContext;
using OrderService = order::ECommerce.Order.OrderServiceExtensions;
using OrderState = order::ECommerce.Order.Sagas.OrderState;

namespace ECommerce.Component.Tests.Order;

/// <summary>The real order service, built from its own <c>AddOrderService</c>/<c>UseOrderService</c>, on a test server: SQLite
/// in a file of its own, the in-memory transport, the test harness observing its bus. The balance and coupon services are not
/// here: a test plays them by reading the commands the saga put in the outbox and publishing their answers the way their
/// relays would. One per test.</summary>
public sealed class OrderServiceHost : IAsyncDisposable
{
    readonly TempDirectory _directory;
    readonly WebApplication _app;

    OrderServiceHost(TempDirectory directory, WebApplication app)
    {
        _directory = directory;
        _app = app;
    }

    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public MessageTap Tap => Services.GetRequiredService<MessageTap>();

    public static async Task<OrderServiceHost> StartAsync(TimeSpan? timeout = null)
    {
        var directory = new TempDirectory();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration["ConnectionStrings:order"] = $"Data Source={directory.File("order.db")}";
        builder.Configuration["Messaging:Transport"] = "InMemory";
        builder.Configuration["Messaging:OutboxPollInterval"] = "00:00:00.100";
        builder.Configuration["Messaging:RetryIntervals:0"] = "00:00:00.010";
        builder.Configuration["Messaging:RetryIntervals:1"] = "00:00:00.050";
        builder.Configuration["Messaging:RedeliveryIntervals:0"] = "00:00:00.100";
        builder.Configuration["Order:Timeout"] = (timeout ?? TimeSpan.FromMinutes(5)).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        builder.Configuration["Order:SweepInterval"] = "00:00:00.100";
        OrderService.AddOrderService(builder);
        builder.Services.AddObservingTestHarness();
        var app = builder.Build();
        OrderService.UseOrderService(app);
        var host = new OrderServiceHost(directory, app);
        try
        {
            await app.StartAsync();
            await host.InScopeAsync(OutboxHistory.InstallAsync);
            host.Client = app.GetTestClient();
            var bus = app.Services.GetRequiredService<IBusControl>();
            await Eventually.TrueAsync(() => bus.CheckHealth().Status == BusHealthStatus.Healthy, "the order service's bus to be ready");
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    public async Task<T> InScopeAsync<T>(Func<OrderDbContext, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<OrderDbContext>());
    }

    public async Task<Guid> CreateProductAsync(int stock, decimal price = 10m)
    {
        using var response = await Client.PostAsJsonAsync(new Uri("/api/products", UriKind.Relative), new { name = "Widget", price, stock });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public async Task<int> StockAsync(Guid productId) =>
        (await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/products/{productId}", UriKind.Relative))).GetProperty("stock").GetInt32();

    public Task<HttpResponseMessage> PostOrderAsync(object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/orders", UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        return Client.SendAsync(request);
    }

    /// <summary>Places an order of the given (product, quantity) lines and returns its id.</summary>
    public async Task<Guid> PlaceOrderAsync(long userId, Guid? userCouponId, params (Guid ProductId, int Quantity)[] lines)
    {
        using var response = await PostOrderAsync(new
        {
            userId,
            userCouponId,
            items = lines.Select(l => new { productId = l.ProductId, quantity = l.Quantity }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Pending", body.GetProperty("status").GetString());
        var orderId = body.GetProperty("orderId").GetGuid();
        Assert.Equal($"/api/orders/{orderId}", response.Headers.Location?.OriginalString);
        return orderId;
    }

    public async Task<JsonElement> OrderAsync(Guid orderId) =>
        await Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/orders/{orderId}", UriKind.Relative));

    /// <summary>Waits until the order is Completed or Failed and returns it.</summary>
    public Task<JsonElement> TerminalOrderAsync(Guid orderId) =>
        Eventually.UntilAsync(() => OrderAsync(orderId), o => o.GetProperty("status").GetString() != "Pending", $"order {orderId} to end");

    public Task<OrderState?> SagaAsync(Guid orderId) =>
        InScopeAsync(db => db.OrderSagas.AsNoTracking().FirstOrDefaultAsync(s => s.CorrelationId == orderId));

    public Task<OrderState?> SagaInStateAsync(Guid orderId, string state) =>
        Eventually.UntilAsync(() => SagaAsync(orderId), s => s?.CurrentState == state, $"saga {orderId} to reach {state}");

    /// <summary>Messages of type <typeparamref name="T"/> the service produced (its outbox), oldest first.</summary>
    public Task<List<T>> OutboxAsync<T>() =>
        InScopeAsync(async db => (await OutboxHistory.Rows(db).Where(m => m.MessageType == typeof(T).FullName)
                .OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => JsonSerializer.Deserialize<T>(m.Body, MessageJson.Options)!).ToList());

    public Task<List<T>> OutboxAsync<T>(Func<T, bool> where, int atLeast) =>
        Eventually.UntilAsync(async () => (await OutboxAsync<T>()).Where(where).ToList(), rows => rows.Count >= atLeast,
            $"{atLeast} {typeof(T).Name} in the outbox");

    /// <summary>Publishes <paramref name="message"/> on its topic as its producer's relay would, under
    /// <paramref name="messageId"/> (a new one if not given), and waits until the saga has consumed it.</summary>
    public async Task<Guid> DeliverAsync(object message, Guid? messageId = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var id = messageId ?? NewId.NextGuid();
        var consumedBefore = Tap.ConsumedWithId(id).Count(c => c.Succeeded);
        var descriptor = MessageCatalog.Describe(message.GetType());
        var row = OutboxBatch.Row(message, id, DateTimeOffset.UtcNow);
        await Services.GetRequiredService<OutboxPublisher>().PublishAsync(row, CancellationToken.None);
        await Eventually.TrueAsync(() => Tap.ConsumedWithId(id).Count(c => c.Succeeded) > consumedBefore, $"{descriptor.Type.Name} {id} to be consumed");
        return id;
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
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
            Microsoft.Data.Sqlite.SqliteConnection.ClearPool(connection);
            _directory.Dispose();
        }
    }
}
