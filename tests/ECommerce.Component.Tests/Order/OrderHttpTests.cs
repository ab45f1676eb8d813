using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ECommerce.Contracts.Orders;
using ECommerce.Contracts.Products;
using ECommerce.Contracts.Users;
using Xunit;

namespace ECommerce.Component.Tests.Order;

/// <summary>The order service's HTTP contract: products and orders, every invalid input answered 400 naming the field, unknown
/// ids 404, and Idempotency-Key on order placement.</summary>
public sealed class OrderHttpTests
{
    [Fact]
    public async Task ProductsAreCreatedReadAndRestockedWithTheirEvents()
    {
        await using var host = await OrderServiceHost.StartAsync();
        using var created = await host.Client.PostAsJsonAsync(new Uri("/api/products", UriKind.Relative), new { name = " Lamp ", price = 19.99m, stock = 3 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var product = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = product.GetProperty("id").GetGuid();
        Assert.Equal($"/api/products/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal(("Lamp", 19.99m, 3), (product.GetProperty("name").GetString(), product.GetProperty("price").GetDecimal(), product.GetProperty("stock").GetInt32()));

        var read = await host.Client.GetFromJsonAsync<JsonElement>(new Uri($"/api/products/{id}", UriKind.Relative));
        Assert.Equal(19.99m, read.GetProperty("price").GetDecimal());

        using var restocked = await host.Client.PostAsJsonAsync(new Uri($"/api/products/{id}/stock-adjustments", UriKind.Relative), new { delta = 7 });
        Assert.Equal(10, (await restocked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stock").GetInt32());
        using var tooMuch = await host.Client.PostAsJsonAsync(new Uri($"/api/products/{id}/stock-adjustments", UriKind.Relative), new { delta = -11 });
        await AssertFieldAsync(tooMuch, "delta");
        using var unknown = await host.Client.PostAsJsonAsync(new Uri($"/api/products/{Guid.NewGuid()}/stock-adjustments", UriKind.Relative), new { delta = 1 });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(10, await host.StockAsync(id));

        var createdEvent = Assert.Single(await host.OutboxAsync<ProductCreated>());
        Assert.Equal((id, "Lamp", 19.99m, 3), (createdEvent.ProductId, createdEvent.Name, createdEvent.Price, createdEvent.Stock));
        var changed = Assert.Single(await host.OutboxAsync<StockChanged>());
        Assert.Equal((id, 7, 10), (changed.ProductId, changed.Delta, changed.StockAfter));
    }

    [Theory]
    [InlineData("""{"price":10,"stock":1}""", "name")]
    [InlineData("""{"name":"","price":10,"stock":1}""", "name")]
    [InlineData("""{"name":"A","price":0,"stock":1}""", "price")]
    [InlineData("""{"name":"A","price":-1,"stock":1}""", "price")]
    [InlineData("""{"name":"A","price":1.234,"stock":1}""", "price")]
    [InlineData("""{"name":"A","stock":1}""", "price")]
    [InlineData("""{"name":"A","price":10,"stock":-1}""", "stock")]
    [InlineData("""{"name":"A","price":10}""", "stock")]
    [InlineData("""{"name":"A","price":"ten","stock":1}""", "price")]
    public async Task InvalidProductsAreRefusedNamingTheField(string body, string field)
    {
        await using var host = await OrderServiceHost.StartAsync();
        using var response = await host.Client.PostAsync(new Uri("/api/products", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        await AssertFieldAsync(response, field);
    }

    [Fact]
    public async Task UnknownProductsAndOrdersAre404()
    {
        await using var host = await OrderServiceHost.StartAsync();
        using var product = await host.Client.GetAsync(new Uri($"/api/products/{Guid.NewGuid()}", UriKind.Relative));
        using var order = await host.Client.GetAsync(new Uri($"/api/orders/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, product.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, order.StatusCode);
        Assert.Equal("application/problem+json", order.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task InvalidOrdersAreRefusedNamingTheField()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var a = await host.CreateProductAsync(stock: 5);
        var b = await host.CreateProductAsync(stock: 5);
        object Item(Guid id, int quantity = 1) => new { productId = id, quantity };

        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 0, items = new[] { Item(a) } }), "userId");
        await AssertFieldAsync(await host.PostOrderAsync(new { items = new[] { Item(a) } }), "userId");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = Array.Empty<object>() }), "items");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1 }), "items");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = Enumerable.Range(0, 51).Select(_ => Item(Guid.NewGuid())).ToArray() }), "items");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { Item(a, 0) } }), "items[0].quantity");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { Item(a), Item(b, 1001) } }), "items[1].quantity");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { new { productId = (Guid?)null, quantity = 1 } } }), "items[0].productId");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { Item(a), Item(b), Item(a, 2) } }), "items[2].productId");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { Item(a), Item(b), Item(Guid.NewGuid()) } }), "items[2].productId");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { Item(a) }, userCouponId = Guid.Empty }), "userCouponId");
        await AssertFieldAsync(await host.PostOrderAsync(new { userId = 1, items = new[] { Item(a) } }, idempotencyKey: new string('k', 201)), "Idempotency-Key");
        using var unreadable = await host.Client.PostAsync(new Uri("/api/orders", UriKind.Relative),
            new StringContent("""{"userId":1,"items":[{"productId":"nope","quantity":1}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);

        Assert.Empty(await host.OutboxAsync<OrderSubmitted>());
        Assert.Equal(0, await host.InScopeAsync(db => Task.FromResult(db.Orders.Count())));
    }

    [Fact]
    public async Task AnAcceptedOrderIsPricedStoredPendingAndAnnounced()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var a = await host.CreateProductAsync(stock: 5, price: 2.50m);
        var b = await host.CreateProductAsync(stock: 5, price: 10m);
        var coupon = Guid.NewGuid();
        var orderId = await host.PlaceOrderAsync(9, coupon, (b, 1), (a, 4));

        var order = await host.OrderAsync(orderId);
        Assert.Equal((orderId, 9L, 20m), (order.GetProperty("orderId").GetGuid(), order.GetProperty("userId").GetInt64(), order.GetProperty("totalAmount").GetDecimal()));
        Assert.Equal(coupon, order.GetProperty("userCouponId").GetGuid());
        var items = order.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([(b, 1, 10m, 10m), (a, 4, 2.50m, 10m)], items.Select(i => (i.GetProperty("productId").GetGuid(), i.GetProperty("quantity").GetInt32(),
            i.GetProperty("unitPrice").GetDecimal(), i.GetProperty("amount").GetDecimal())));

        var submitted = Assert.Single(await host.OutboxAsync<OrderSubmitted>());
        Assert.Equal((orderId, 9L, (Guid?)coupon, 20m), (submitted.OrderId, submitted.UserId, submitted.UserCouponId, submitted.TotalAmount));
        Assert.Equal([new OrderLine(b, 1, 10m, 10m), new OrderLine(a, 4, 2.50m, 10m)], submitted.Items);
        var placed = Assert.Single(await host.OutboxAsync<UserPlacedOrder>());
        Assert.Equal((9L, orderId, 20m), (placed.UserId, placed.OrderId, placed.TotalAmount));
    }

    /// <summary>Orders are written in batches (group commit): the concurrent requests with one key, which meet in a batch, and
    /// the requests with keys of their own that share that batch each get the answer they would get alone.</summary>
    [Fact]
    public async Task TheSameIdempotencyKeyReturnsTheFirstOrderAndRefusesADifferentOne()
    {
        await using var host = await OrderServiceHost.StartAsync();
        var a = await host.CreateProductAsync(stock: 50);
        var body = new { userId = 3, items = new[] { new { productId = a, quantity = 2 } } };

        var sameKey = Enumerable.Range(0, 8).Select(_ => host.PostOrderAsync(body, "key-1"));
        var ownKeys = Enumerable.Range(0, 8).Select(i => host.PostOrderAsync(body, $"own-{i}"));
        var responses = await Task.WhenAll(sameKey.Concat(ownKeys));
        var ids = new List<Guid>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid());
            }
        }

        Assert.Single(ids.Take(8).Distinct());
        Assert.Equal(9, ids.Distinct().Count());
        Assert.Equal(ids.Distinct().Order(), (await host.OutboxAsync<OrderSubmitted>()).Select(s => s.OrderId).Order());
        using var different = await host.PostOrderAsync(new { userId = 3, items = new[] { new { productId = a, quantity = 3 } } }, "key-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        using var again = await host.PostOrderAsync(body, "key-1");
        Assert.Equal(ids[0], (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid());
        using var another = await host.PostOrderAsync(body, "key-2");
        Assert.Equal(HttpStatusCode.Accepted, another.StatusCode);
        Assert.Equal(10, (await host.OutboxAsync<OrderSubmitted>()).Count);
        Assert.Equal(10, (await host.OutboxAsync<UserPlacedOrder>()).Count);
    }

    static async Task AssertFieldAsync(HttpResponseMessage response, string field)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400 for {field}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out _), $"expected an error for '{field}': {body}");
        }
    }
}
