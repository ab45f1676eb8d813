using System.Net;
using System.Net.Sockets;
using ECommerce.Testing.Infrastructure;

namespace ECommerce.AppHost.Tests.Launchers;

public sealed class FreePortTests
{
    [Fact]
    public void HandsOutDistinctBindablePortsBelowTheEphemeralRange()
    {
        var ports = Enumerable.Range(0, 20).Select(_ => FreePort.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, port => Assert.InRange(port, 1024, 32767));
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public void NeverReservesAPortTwiceOrOneInUse()
    {
        var port = FreePort.Next();
        Assert.False(FreePort.TryReserve(port));

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var busy = ((IPEndPoint)listener.LocalEndpoint).Port;
        Assert.False(FreePort.IsFree(busy));
        Assert.False(FreePort.TryReserve(busy));
    }
}
