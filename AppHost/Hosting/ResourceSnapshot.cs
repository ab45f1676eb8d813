namespace ECommerce.AppHost.Hosting;

/// <summary>An immutable picture of one resource at one moment; the registry replaces it on every change.</summary>
public sealed record ResourceSnapshot
{
    public required string Name { get; init; }

    /// <summary>What kind of resource: RabbitMQ, PostgreSQL, PostgreSQLDatabase, Project.</summary>
    public required string ResourceType { get; init; }

    public ResourceState State { get; init; } = ResourceState.NotStarted;

    public int? Pid { get; init; }

    public int? ExitCode { get; init; }

    /// <summary>How many times the resource was restarted after its first start.</summary>
    public int RestartCount { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    public IReadOnlyList<ResourceEndpoint> Endpoints { get; init; } = [];

    /// <summary>The environment the resource's process was given on top of the AppHost's own (null: removed).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Resources whose connection strings this one receives.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Resources that must be healthy before this one starts.</summary>
    public IReadOnlyList<string> WaitFor { get; init; } = [];

    /// <summary>What the health check probes, e.g. http://127.0.0.1:5101/health.</summary>
    public string? HealthCheck { get; init; }

    public DateTimeOffset? LastHealthCheckAt { get; init; }

    /// <summary>Why the last health check (or the start) failed; null when it passed.</summary>
    public string? LastError { get; init; }
}
