namespace ECommerce.AppHost.Testing;

public sealed class AppHostProcessOptions
{
    /// <summary>Added to every fixed port of the suite; null picks an offset whose ports are all free (and reserves them).</summary>
    public int? PortOffset { get; init; }

    /// <summary>Run with <c>--postgres</c>.</summary>
    public bool UsePostgres { get; init; }

    /// <summary>Run with <c>--rabbitmq-cluster</c> (three RabbitMQ nodes, quorum queues).</summary>
    public bool RabbitMqCluster { get; init; }

    /// <summary>The services' data directory; null makes a fresh one that is deleted on dispose.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>From process start until every service answers /health with 200 and the AppHost reports all healthy.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Extra environment of the AppHost (and so of everything it starts), e.g. Messaging__DefaultPartitions;
    /// a null value removes an inherited variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Receives every line the AppHost writes (its own and its resources', prefixed with their names).</summary>
    public Action<string>? OnOutput { get; init; }
}
