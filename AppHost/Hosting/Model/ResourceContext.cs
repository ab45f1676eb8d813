namespace ECommerce.AppHost.Hosting.Model;

/// <summary>What a resource may do to its own entry in the registry while it starts, runs and stops.</summary>
internal sealed class ResourceContext(ResourceRegistry registry, string name)
{
    public void Log(string line, bool isErrorStream = false) => registry.AppendLog(name, line, isErrorStream);

    public void Update(Func<ResourceSnapshot, ResourceSnapshot> change) => registry.Update(name, change);
}
