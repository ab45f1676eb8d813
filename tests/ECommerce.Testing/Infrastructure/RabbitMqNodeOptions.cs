namespace ECommerce.Testing.Infrastructure;

public sealed class RabbitMqNodeOptions
{
    /// <summary>The short node name (before <c>@localhost</c>); a unique one is made up when null.</summary>
    public string? NodeName { get; init; }

    /// <summary>Where the rabbitmq-server and rabbitmqctl scripts are; the Debian package puts them here.</summary>
    public string BinDirectory { get; init; } = RabbitMqNode.DefaultBinDirectory;

    /// <summary>Where the node's own directory is created; the system temp directory when null. Every account on the path
    /// must be able to traverse it, since the node runs as the rabbitmq user when this process is root.</summary>
    public string? ParentDirectory { get; init; }

    /// <summary>How long a start (or restart) may take before it counts as failed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The Erlang cookie; a fresh random one when null. The nodes of one cluster must share it.</summary>
    public string? Cookie { get; init; }

    /// <summary>The port of an Erlang port mapper that another node of the same cluster runs (the nodes find each other
    /// through one port mapper); when null the node runs a port mapper of its own.</summary>
    public int? SharedEpmdPort { get; init; }

    /// <summary>Receives every line the node writes to its console (its log).</summary>
    public Action<string>? OnOutput { get; init; }
}
