namespace ECommerce.AppHost.Hosting.Model;

/// <summary>The resources the AppHost runs, in the order they were added (the order of the resource table).</summary>
public sealed class AppModel
{
    private readonly List<AppResource> resources = [];

    public IReadOnlyList<AppResource> Resources => resources;

    /// <summary>A RabbitMQ node of the AppHost's own.</summary>
    /// <summary>A broker the AppHost runs: one node, or a cluster of <paramref name="nodes"/> nodes.</summary>
    public RabbitMqResource AddRabbitMq(string name, int nodes = 1) => Add(new RabbitMqResource(name, externalUri: null, nodes));

    /// <summary>A broker that already runs elsewhere; the AppHost only checks it and provisions it.</summary>
    public RabbitMqResource AddExternalRabbitMq(string name, Uri amqpUri)
    {
        ArgumentNullException.ThrowIfNull(amqpUri);
        return Add(new RabbitMqResource(name, amqpUri, nodes: 1));
    }

    public PostgresServerResource AddPostgres(string name) => Add(new PostgresServerResource(name));

    /// <summary>A database in <paramref name="server"/>, created when the server is healthy. Referencing it passes
    /// <c>ConnectionStrings__{connectionName}</c>.</summary>
    public PostgresDatabaseResource AddDatabase(PostgresServerResource server, string name, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Add(new PostgresDatabaseResource(name, server, connectionName)).WaitFor(server);
    }

    public ProjectResource AddProject(string name, ServiceProject project, int httpPort) =>
        Add(new ProjectResource(name, project, httpPort));

    private T Add<T>(T resource)
        where T : AppResource
    {
        if (resources.Exists(existing => existing.Name == resource.Name))
        {
            throw new ArgumentException($"A resource named '{resource.Name}' already exists.", nameof(resource));
        }

        resources.Add(resource);
        return resource;
    }
}
