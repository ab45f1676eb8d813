namespace ECommerce.AppHost.Hosting;

public sealed class ResourceChangedEventArgs(ResourceSnapshot previous, ResourceSnapshot current) : EventArgs
{
    /// <summary>The snapshot before the change (for a newly added resource, the same as <see cref="Current"/>).</summary>
    public ResourceSnapshot Previous { get; } = previous;

    public ResourceSnapshot Current { get; } = current;
}
