using System.Net.Sockets;

namespace ECommerce.AppHost.Hosting.Model;

internal static class NetworkProbe
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Null when a TCP connection to host:port succeeds, otherwise why not.</summary>
    public static async Task<string?> TryConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException e)
        {
            return $"{host}:{port}: {e.SocketErrorCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"{host}:{port}: no answer within {ConnectTimeout.TotalSeconds:0} s";
        }
    }
}
