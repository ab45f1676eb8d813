namespace ECommerce.AppHost.Resources;

/// <summary>The suite's message broker as the services see it: one connection string over all of its nodes, ready once every
/// node runs as one cluster and the topology is provisioned. The nodes are resources of their own (executables, with their
/// console output, state and restart command on the dashboard); this one stands for the whole and is what the services
/// reference and wait for. An existing broker (<c>ConnectionStrings:messaging</c>) is one with no nodes.</summary>
public sealed class MessagingResource(string name, string connectionString) : Resource(name), IResourceWithConnectionString, IResourceWithWaitSupport
{
    public string ConnectionString { get; } = connectionString;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ConnectionString}");

    /// <summary>True once the topology is provisioned; its health check reports it.</summary>
    internal bool IsProvisioned { get; set; }
}
