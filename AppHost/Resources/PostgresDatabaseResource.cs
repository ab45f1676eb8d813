namespace ECommerce.AppHost.Resources;

/// <summary>A database on <see cref="PostgresServerResource"/>, created once the server is up.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource server)
    : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Parent { get; } = server;

    public string ConnectionString => $"{Parent.ConnectionString};Database={DatabaseName}";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ConnectionString}");

    internal bool IsCreated { get; set; }
}
