using System.Globalization;

namespace ECommerce.Testing.Infrastructure;

/// <summary>A RabbitMQ cluster of several nodes on this machine, each an isolated <see cref="RabbitMqNode"/> (own directory
/// and ports) sharing one Erlang cookie and the first node's port mapper, so they find each other and nothing else.
/// Replicated (quorum) queues and streams spread over its nodes; any one node can die and the cluster serves on.</summary>
public sealed class RabbitMqCluster : IAsyncDisposable
{
    private readonly List<RabbitMqNode> nodes;

    private RabbitMqCluster(List<RabbitMqNode> nodes) => this.nodes = nodes;

    public IReadOnlyList<RabbitMqNode> Nodes => nodes;

    /// <summary>Every node's AMQP URI, comma-separated: the form <c>ConnectionStrings:messaging</c> takes for a cluster.</summary>
    public string ConnectionString => string.Join(',', nodes.Select(n => n.AmqpUri.ToString()));

    /// <summary>Starts <paramref name="size"/> nodes and joins the second and later ones to the first; completes when every
    /// node sees all of them running.</summary>
    /// <param name="onOutput">Each node's console lines, with the node's index.</param>
    public static async Task<RabbitMqCluster> StartAsync(int size, string? parentDirectory = null, Action<int, string>? onOutput = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 2);
        var cookie = Guid.NewGuid().ToString("N").ToUpperInvariant();
        var name = "ecommerce-" + Guid.NewGuid().ToString("N")[..8];
        var started = new List<RabbitMqNode>();
        var cluster = new RabbitMqCluster(started);
        try
        {
            var first = await RabbitMqNode.StartAsync(Options(0, null), cancellationToken).ConfigureAwait(false);
            started.Add(first);
            // The others start side by side (each VM takes seconds to boot), then join one at a time: join_cluster resets the
            // joining node, and two resets against the same cluster at once can clash.
            var rest = Enumerable.Range(1, size - 1).Select(i => RabbitMqNode.StartAsync(Options(i, first.EpmdPort), cancellationToken)).ToList();
            try
            {
                await Task.WhenAll(rest).ConfigureAwait(false);
            }
            finally
            {
                // Whatever started is stopped with the cluster when another node failed.
                started.AddRange(rest.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            foreach (var node in started.Skip(1))
            {
                await node.JoinClusterAsync(first.NodeName, cancellationToken).ConfigureAwait(false);
            }

            await cluster.WaitUntilFormedAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        RabbitMqNodeOptions Options(int index, int? epmdPort) => new()
        {
            NodeName = string.Create(CultureInfo.InvariantCulture, $"{name}-{index + 1}"),
            Cookie = cookie,
            SharedEpmdPort = epmdPort,
            ParentDirectory = parentDirectory,
            OnOutput = onOutput is null ? null : line => onOutput(index, line),
        };
    }

    /// <summary>Waits until every running node counts all running nodes as members (after a start, or after a killed node was
    /// restarted and rejoined).</summary>
    public async Task WaitUntilFormedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var running = nodes.Where(n => n.IsRunning).ToList();
        var expected = running.Select(n => n.NodeName).Order(StringComparer.Ordinal).ToList();
        await Poll.UntilAsync(async token =>
        {
            foreach (var node in running)
            {
                var seen = await node.RunningClusterNodesAsync(token).ConfigureAwait(false);
                if (!seen.Order(StringComparer.Ordinal).SequenceEqual(expected))
                {
                    return false;
                }
            }

            return true;
        }, timeout, $"the RabbitMQ cluster of {string.Join(", ", expected)} to form", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every node, the first one (which runs the shared port mapper) last. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            await nodes[i].DisposeAsync().ConfigureAwait(false);
        }
    }
}
