namespace ECommerce.AppHost.Hosting;

public sealed class ResourceLogEventArgs(string resourceName, ResourceLogLine line) : EventArgs
{
    public string ResourceName { get; } = resourceName;

    public ResourceLogLine Line { get; } = line;
}
