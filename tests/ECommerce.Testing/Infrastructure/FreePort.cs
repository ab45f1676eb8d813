using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ECommerce.Testing.Infrastructure;

/// <summary>Hands out TCP ports on 127.0.0.1 that nothing listens on and no other user of this class (in this or any other
/// process on the machine) has been given. Ports come from below the kernel's ephemeral range, so an outgoing connection can
/// never take one between the moment it is handed out and the moment its server binds it.</summary>
public static class FreePort
{
    private const int RangeStart = 20000;
    private const int RangeEnd = 32000;

    // A reservation is an exclusively locked file per port. The lock (flock) dies with the process that holds it, so a crashed
    // test run frees its ports and leaves nothing stale behind; reservations are held for the life of the process.
    private static readonly string ReservationDirectory = Path.Combine(Path.GetTempPath(), "ecommerce-port-reservations");
    private static readonly ConcurrentDictionary<int, FileStream> Reservations = new();

    /// <summary>A port nobody listens on, reserved for this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 2000; attempt++)
        {
            var port = Random.Shared.Next(RangeStart, RangeEnd);
            if (TryReserve(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free TCP port found on 127.0.0.1 between {RangeStart} and {RangeEnd}.");
    }

    /// <summary>The first of <paramref name="count"/> consecutive free ports, all reserved for this process, starting at a
    /// multiple of 100: for a suite whose ports are fixed offsets from a base (the AppHost's <c>--port-base</c>).</summary>
    public static int NextBlock(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 100);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(RangeStart / 100, RangeEnd / 100) * 100;
            var reserved = new List<int>(count);
            foreach (var port in Enumerable.Range(first, count))
            {
                if (!TryReserve(port))
                    break;
                reserved.Add(port);
            }

            if (reserved.Count == count)
                return first;
            foreach (var port in reserved)
                Release(port);
        }

        throw new InvalidOperationException($"No {count} consecutive free TCP ports found on 127.0.0.1 between {RangeStart} and {RangeEnd}.");
    }

    private static void Release(int port)
    {
        if (Reservations.TryRemove(port, out var reservation))
            reservation.Dispose();
    }

    /// <summary>Reserves <paramref name="port"/> for this process if nothing listens on it and no one else reserved it. For
    /// servers that need fixed ports (the AppHost's services): reserve them all, or pick other ones.</summary>
    public static bool TryReserve(int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        if (Reservations.ContainsKey(port) || !IsBindable(port))
        {
            return false;
        }

        EnsureReservationDirectory();
        FileStream reservation;
        try
        {
            reservation = new FileStream(Path.Combine(ReservationDirectory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return false;
        }

        if (!Reservations.TryAdd(port, reservation))
        {
            reservation.Dispose();
            return false;
        }

        return true;
    }

    /// <summary>True when nothing listens on 127.0.0.1:<paramref name="port"/> (without reserving it).</summary>
    public static bool IsFree(int port) => IsBindable(port);

    private static void EnsureReservationDirectory()
    {
        if (Directory.Exists(ReservationDirectory))
        {
            return;
        }

        // Shared by every user that runs tests on the machine (root and others), like /tmp itself.
        Directory.CreateDirectory(ReservationDirectory);
        File.SetUnixFileMode(ReservationDirectory, (UnixFileMode)0b1_111_111_111);
    }

    private static bool IsBindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
