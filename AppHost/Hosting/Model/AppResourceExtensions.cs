namespace ECommerce.AppHost.Hosting.Model;

public static class AppResourceExtensions
{
    /// <summary>Starts <paramref name="resource"/> only once <paramref name="dependency"/> is healthy.</summary>
    public static T WaitFor<T>(this T resource, AppResource dependency)
        where T : AppResource
    {
        ArgumentNullException.ThrowIfNull(resource);
        resource.AddWaitFor(dependency);
        return resource;
    }
}
