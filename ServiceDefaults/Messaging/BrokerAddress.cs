using System.Globalization;
using RabbitMQ.Client;

namespace ECommerce.ServiceDefaults.Messaging;

/// <summary>The broker named by <c>ConnectionStrings:messaging</c>: one amqp:// URI for a single node, or a comma-separated
/// list of them for a cluster (<c>amqp://u:p@h1:5672/vh,amqp://u:p@h2:5672/vh</c>). The nodes of one cluster share the user
/// and the virtual host; a client connects to the first node that answers and, when that node dies, reconnects to another.</summary>
public sealed class BrokerAddress
{
    BrokerAddress(IReadOnlyList<Uri> nodes) => Nodes = nodes;

    /// <summary>Every node, in the order given; the first one names the credentials and virtual host.</summary>
    public IReadOnlyList<Uri> Nodes { get; }

    public Uri Primary => Nodes[0];

    public bool IsCluster => Nodes.Count > 1;

    /// <summary>Parses a connection string; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static BrokerAddress Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var nodes = new List<Uri>();
        foreach (var part in connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
                throw new FormatException($"ConnectionStrings:messaging: '{part}' is not an amqp:// or amqps:// URI.");
            if (nodes.Count > 0 && (uri.UserInfo != nodes[0].UserInfo || uri.AbsolutePath != nodes[0].AbsolutePath
                                    || uri.Scheme != nodes[0].Scheme))
                throw new FormatException(
                    $"ConnectionStrings:messaging: the nodes of a cluster share scheme, user and virtual host, but '{part}' differs from the first node.");
            nodes.Add(uri);
        }

        return nodes.Count == 0 ? throw new FormatException("ConnectionStrings:messaging names no node.") : new BrokerAddress(nodes);
    }

    /// <summary>The nodes as MassTransit's cluster configuration writes them (<c>host:port</c>).</summary>
    public IEnumerable<string> HostAndPorts =>
        Nodes.Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.Host}:{(n.IsDefaultPort ? AmqpPort(n) : n.Port)}"));

    /// <summary>A factory for the first node's credentials and virtual host; connect it with <see cref="ConnectAsync"/>.</summary>
    public ConnectionFactory CreateFactory(string clientName) => new() { Uri = Primary, ClientProvidedName = clientName };

    /// <summary>Connects to the first node of the list that accepts (the client library's endpoint list; its automatic
    /// recovery, where enabled, walks the same list).</summary>
    public Task<IConnection> ConnectAsync(ConnectionFactory factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var endpoints = Nodes.Select(n => new AmqpTcpEndpoint(n)).ToList();
        return factory.CreateConnectionAsync(endpoints, cancellationToken);
    }

    /// <summary>The nodes without credentials, for logs.</summary>
    public override string ToString() => string.Join(',', HostAndPorts);

    static int AmqpPort(Uri uri) => uri.Scheme == "amqps" ? 5671 : 5672;
}
