namespace ECommerce.AppHost.Hosting.Model;

/// <summary>A database in a <see cref="PostgresServerResource"/>; starting it creates it. It lives and dies with its server.</summary>
public sealed class PostgresDatabaseResource : AppResource, IResourceWithConnectionString
{
    internal PostgresDatabaseResource(string name, PostgresServerResource server, string connectionName)
        : base(name)
    {
        Server = server;
        ConnectionName = connectionName;
    }

    public override string ResourceType => "PostgreSQLDatabase";

    public PostgresServerResource Server { get; }

    /// <summary>Also the database's name.</summary>
    public string ConnectionName { get; }

    public string? ConnectionString { get; private set; }

    internal override IReadOnlyList<string> ReferenceNames => [Server.Name];

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var cluster = Server.Cluster ?? throw new InvalidOperationException($"The server '{Server.Name}' has not started.");
        ConnectionString = await cluster.CreateDatabaseAsync(ConnectionName, cancellationToken).ConfigureAwait(false);
        context.Update(s => s with
        {
            Endpoints = [new ResourceEndpoint("tcp", new Uri($"postgresql://postgres@127.0.0.1:{cluster.Port}/{ConnectionName}"))],
        });
    }

    internal override Task<string?> CheckHealthAsync(CancellationToken cancellationToken) =>
        Server.Cluster is { IsRunning: true } ? Task.FromResult<string?>(null) : Task.FromResult<string?>("its server is not running");

    /// <summary>Nothing to do: the database goes with its server's directory.</summary>
    internal override Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        ConnectionString = null;
        return Task.CompletedTask;
    }
}
