using System.Globalization;
using ECommerce.AppHost.Infrastructure;

namespace ECommerce.AppHost.Hosting.Model;

/// <summary>The message broker: a RabbitMQ node the AppHost starts (<see cref="Node"/>), a cluster of them
/// (<see cref="Cluster"/>), or an external broker given by URI. Handlers registered with <see cref="OnReady"/> (topology
/// provisioning) run before it counts as started.</summary>
public sealed class RabbitMqResource : AppResource, IResourceWithConnectionString
{
    private readonly List<Func<Uri, CancellationToken, Task>> readyHandlers = [];

    internal RabbitMqResource(string name, Uri? externalUri, int nodes)
        : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ExternalUri = externalUri;
        NodeCount = nodes;
    }

    public override string ResourceType => "RabbitMQ";

    /// <summary>The broker given by configuration; null when the AppHost runs its own node.</summary>
    public Uri? ExternalUri { get; }

    /// <summary>How many nodes the AppHost runs: 1, or a cluster.</summary>
    public int NodeCount { get; }

    /// <summary>The AppHost's own node once started (a cluster's first node); null for an external broker.</summary>
    public RabbitMqNode? Node { get; private set; }

    /// <summary>The AppHost's own cluster once started, when it runs more than one node.</summary>
    public RabbitMqCluster? Cluster { get; private set; }

    public string ConnectionName => Name;

    /// <summary>One amqp:// URI, or for a cluster every node's, comma-separated.</summary>
    public string? ConnectionString => Cluster?.ConnectionString ?? (ExternalUri ?? Node?.AmqpUri)?.ToString();

    /// <summary>Runs <paramref name="handler"/> with the broker's URI each time the broker has started, before resources
    /// waiting for it are released.</summary>
    public RabbitMqResource OnReady(Func<Uri, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        readyHandlers.Add(handler);
        return this;
    }

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        Uri uri;
        if (ExternalUri is not null)
        {
            uri = ExternalUri;
            await Poll.UntilAsync(async token => await CheckHealthAsync(token).ConfigureAwait(false) is null,
                TimeSpan.FromSeconds(30), "the external broker " + Redacted(uri), cancellationToken).ConfigureAwait(false);
            context.Update(s => s with { Endpoints = [new ResourceEndpoint("amqp", Redacted(uri))] });
        }
        else
        {
            IReadOnlyList<RabbitMqNode> nodes;
            if (NodeCount > 1)
            {
                Cluster = await RabbitMqCluster.StartAsync(NodeCount,
                        onOutput: (index, line) => context.Log(string.Create(CultureInfo.InvariantCulture, $"[node {index + 1}] {line}")),
                        cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                nodes = Cluster.Nodes;
            }
            else
            {
                nodes = [await RabbitMqNode.StartAsync(new RabbitMqNodeOptions { OnOutput = line => context.Log(line) }, cancellationToken)
                    .ConfigureAwait(false)];
            }

            Node = nodes[0];
            uri = Node.AmqpUri;
            context.Update(s => s with
            {
                Pid = nodes[0].Pid,
                Endpoints = nodes.SelectMany((node, index) => Endpoints(node, nodes.Count == 1 ? string.Empty : $"node{index + 1}-")).ToList(),
            });
        }

        foreach (var handler in readyHandlers)
        {
            await handler(uri, cancellationToken).ConfigureAwait(false);
        }
    }

    internal override async Task<string?> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (ExternalUri is not null)
        {
            return await NetworkProbe.TryConnectAsync(ExternalUri.Host, ExternalUri.IsDefaultPort ? 5672 : ExternalUri.Port,
                cancellationToken).ConfigureAwait(false);
        }

        if (Cluster is not null)
        {
            // A cluster serves while a majority of its nodes does (quorum queues need one), but a lost node is worth a look.
            var down = Cluster.Nodes.Where(n => !n.IsRunning).Select(n => n.NodeName).ToList();
            return down.Count == 0 ? null : $"node(s) {string.Join(", ", down)} not running";
        }

        return Node is { IsRunning: true } node
            ? await NetworkProbe.TryConnectAsync("127.0.0.1", node.AmqpPort, cancellationToken).ConfigureAwait(false)
            : "the node is not running";
    }

    private static IEnumerable<ResourceEndpoint> Endpoints(RabbitMqNode node, string prefix) =>
    [
        new ResourceEndpoint(prefix + "amqp", node.AmqpUri),
        new ResourceEndpoint(prefix + "management", node.ManagementUri),
        new ResourceEndpoint(prefix + "stream", new Uri(string.Create(CultureInfo.InvariantCulture, $"rabbitmq-stream://127.0.0.1:{node.StreamPort}/"))),
    ];

    internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
            Cluster = null;
        }
        else if (Node is not null)
        {
            await Node.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        Node = null;
    }

    /// <summary>The URI without its password, for display: an external broker's credentials are not the well-known guest ones.</summary>
    private static Uri Redacted(Uri uri) =>
        string.IsNullOrEmpty(uri.UserInfo) ? uri : new UriBuilder(uri) { Password = string.Empty }.Uri;
}
