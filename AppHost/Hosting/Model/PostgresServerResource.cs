using ECommerce.AppHost.Infrastructure;

namespace ECommerce.AppHost.Hosting.Model;

/// <summary>A PostgreSQL cluster of the AppHost's own; its databases are <see cref="PostgresDatabaseResource"/>s.</summary>
public sealed class PostgresServerResource : AppResource
{
    internal PostgresServerResource(string name)
        : base(name)
    {
    }

    public override string ResourceType => "PostgreSQL";

    /// <summary>The cluster once started.</summary>
    public PostgresCluster? Cluster { get; private set; }

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        Cluster = await PostgresCluster.StartAsync(new PostgresClusterOptions { OnOutput = line => context.Log(line) }, cancellationToken)
            .ConfigureAwait(false);
        var cluster = Cluster;
        context.Update(s => s with
        {
            Pid = cluster.Pid,
            Endpoints = [new ResourceEndpoint("tcp", new Uri($"postgresql://postgres@127.0.0.1:{cluster.Port}/"))],
        });
    }

    internal override async Task<string?> CheckHealthAsync(CancellationToken cancellationToken) =>
        Cluster is { IsRunning: true } cluster
            ? await NetworkProbe.TryConnectAsync("127.0.0.1", cluster.Port, cancellationToken).ConfigureAwait(false)
            : "the server is not running";

    internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (Cluster is not null)
        {
            await Cluster.StopAsync(cancellationToken).ConfigureAwait(false);
            Cluster = null;
        }
    }
}
