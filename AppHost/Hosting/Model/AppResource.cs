using System.Text.RegularExpressions;

namespace ECommerce.AppHost.Hosting.Model;

/// <summary>Something the AppHost runs: a broker, a database server, a database, a service. Shaped like .NET Aspire's
/// resources (a name, endpoints, environment, references, resources to wait for, a health check), so that moving to Aspire
/// is a matter of renaming. Lifecycle methods are called by the orchestrator only, one at a time per resource.</summary>
public abstract partial class AppResource
{
    private readonly List<AppResource> waitFor = [];

    protected AppResource(string name)
    {
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid resource name: lower-case letters, digits and '-'.", nameof(name));
        }

        Name = name;
    }

    public string Name { get; }

    public abstract string ResourceType { get; }

    /// <summary>Resources that must be healthy before this one is started.</summary>
    public IReadOnlyList<AppResource> WaitForResources => waitFor;

    /// <summary>Names of the resources whose connection strings this one receives.</summary>
    internal virtual IReadOnlyList<string> ReferenceNames => [];

    internal void AddWaitFor(AppResource dependency)
    {
        ArgumentNullException.ThrowIfNull(dependency);
        if (dependency == this)
        {
            throw new ArgumentException("A resource cannot wait for itself.", nameof(dependency));
        }

        if (!waitFor.Contains(dependency))
        {
            waitFor.Add(dependency);
        }
    }

    /// <summary>Starts the resource; completes once it runs (not necessarily healthy yet).</summary>
    internal abstract Task StartAsync(ResourceContext context, CancellationToken cancellationToken);

    /// <summary>Null when healthy, otherwise why not.</summary>
    internal abstract Task<string?> CheckHealthAsync(CancellationToken cancellationToken);

    internal abstract Task StopAsync(ResourceContext context, CancellationToken cancellationToken);

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex ValidName();
}
