using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>Queue depths from the management API when it is configured and answers (ready, unacknowledged, consumers),
/// otherwise from a passive declare over AMQP (ready and consumers only).</summary>
internal sealed class RabbitMqQueueStatsReader(BrokerAddress broker, Uri? managementUri) : IQueueStatsReader, IDisposable
{
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    readonly SemaphoreSlim _connectionLock = new(1, 1);
    IConnection? _connection;

    public async Task<QueueStats> ReadAsync(string queue, CancellationToken cancellationToken)
    {
        if (managementUri is not null)
        {
            try
            {
                return await ReadFromManagementAsync(queue, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The management node is down (in a cluster, one node of several): the depths still come over AMQP, which
                // fails over to another node, only without the unacknowledged count.
            }
        }

        var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
            return new QueueStats(true, ok.MessageCount, null, ok.ConsumerCount);
        }
        catch (OperationInterruptedException)
        {
            return new QueueStats(false, null, null, null);
        }
    }

    async Task<QueueStats> ReadFromManagementAsync(string queue, CancellationToken cancellationToken)
    {
        var vhost = Uri.UnescapeDataString(broker.Primary.AbsolutePath.TrimStart('/'));
        if (vhost.Length == 0)
            vhost = "/";
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(managementUri!, $"api/queues/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(queue)}"));
        var user = Uri.UnescapeDataString(broker.Primary.UserInfo);
        if (user.Length == 0)
            user = "guest:guest";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return new QueueStats(false, null, null, null);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        return new QueueStats(true, Number(root, "messages_ready"), Number(root, "messages_unacknowledged"), Number(root, "consumers"));
    }

    static long? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    async Task<IConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        await _connectionLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsOpen: true })
                return _connection;
            _connection?.Dispose();
            _connection = await broker.ConnectAsync(broker.CreateFactory("ecommerce-ops"), cancellationToken).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _http.Dispose();
        _connectionLock.Dispose();
    }
}
