using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ECommerce.AppHost.Resources;

/// <summary>Healthy once every port accepts a connection on 127.0.0.1: a server's listeners open when it is ready to serve.</summary>
internal sealed class TcpPortsHealthCheck(params int[] ports) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var port in ports)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                return HealthCheckResult.Unhealthy($"Nothing accepts connections on port {port} yet: {e.SocketErrorCode}.");
            }
        }

        return HealthCheckResult.Healthy();
    }
}
