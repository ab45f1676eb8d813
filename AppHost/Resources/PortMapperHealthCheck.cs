using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ECommerce.AppHost.Resources;

/// <summary>Healthy once the Erlang port mapper answers a NAMES request. A bare TCP connect would do too, but the port
/// mapper logs every connection that closes without a request as an error.</summary>
internal sealed class PortMapperHealthCheck(int port) : IHealthCheck
{
    /// <summary>A request of one byte, 'n' (NAMES_REQ), behind its two-byte length.</summary>
    static readonly byte[] NamesRequest = [0, 1, (byte)'n'];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(NamesRequest, cancellationToken).ConfigureAwait(false);
            // The answer starts with the port mapper's own port number (four bytes), then the names it knows.
            var answer = new byte[4];
            await stream.ReadExactlyAsync(answer, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return HealthCheckResult.Unhealthy($"The Erlang port mapper does not answer on port {port} yet: {e.Message}");
        }
    }
}
