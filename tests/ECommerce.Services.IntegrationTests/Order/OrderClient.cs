using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>The order service's HTTP API as the load uses it. The target can move (an instance killed and another started):
/// a request that fails at the transport level is retried against the current target with the same Idempotency-Key.</summary>
public sealed class OrderClient : IDisposable
{
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };
    volatile Uri _target;

    public OrderClient(Uri target) => _target = target;

    public Uri Target
    {
        get => _target;
        set => _target = value;
    }

    int _transportFailures;

    public int TransportFailures => Volatile.Read(ref _transportFailures);

    public async Task<Guid> CreateProductAsync(decimal price, int stock)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(_target, "api/products"), new { name = "Item", price, stock }).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Creating a product answered {(int)response.StatusCode}.");
        return (await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false)).GetProperty("id").GetGuid();
    }

    /// <summary>Places the order, retrying through transport failures until <paramref name="deadline"/>; returns its id.</summary>
    public async Task<Guid> PlaceAsync(PlannedOrder order, DateTimeOffset deadline)
    {
        ArgumentNullException.ThrowIfNull(order);
        var body = new
        {
            userId = order.UserId,
            userCouponId = order.UserCouponId,
            items = order.Lines.Select(l => new { productId = l.ProductId, quantity = l.Quantity }).ToArray(),
        };
        while (true)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_target, "api/orders")) { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", order.Key);
                using var response = await _http.SendAsync(request).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"Order {order.Key} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
                return (await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false)).GetProperty("orderId").GetGuid();
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && DateTimeOffset.UtcNow < deadline)
            {
                Interlocked.Increment(ref _transportFailures);
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
