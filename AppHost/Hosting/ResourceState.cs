namespace ECommerce.AppHost.Hosting;

/// <summary>Where a resource is in its life. Named after .NET Aspire's resource states, with health folded in.</summary>
public enum ResourceState
{
    NotStarted,

    /// <summary>Waiting for the resources it waits for to become healthy.</summary>
    Waiting,

    Starting,

    /// <summary>Started, not (yet) answering its health check.</summary>
    Running,

    Healthy,

    /// <summary>Was healthy, now fails its health check.</summary>
    Unhealthy,

    /// <summary>Its process ended without being asked to.</summary>
    Exited,

    FailedToStart,

    Stopping,

    Stopped,
}
