using System.Globalization;

namespace ECommerce.AppHost.Resources;

/// <summary>One RabbitMQ node, isolated: its own directory, node name, Erlang cookie and ports on 127.0.0.1, the broker's
/// console on the dashboard. Started in the foreground by the orchestrator as the <c>rabbitmq</c> account; SIGTERM makes
/// the rabbitmq-server script stop the node gracefully.</summary>
public sealed class RabbitMqNodeResource(string name, string command, string directory, int ordinal, int firstPort, int portMapperPort)
    : ExecutableResource(name, command, directory)
{
    public const string BinDirectory = "/usr/lib/rabbitmq/bin";
    public const int ManagementPortOffset = 2;

    /// <summary>1-based position in the cluster; node 1 is the one the others join.</summary>
    public int Ordinal { get; } = ordinal;

    public string NodeName { get; } = string.Create(CultureInfo.InvariantCulture, $"ecommerce-{ordinal}@localhost");

    public string Directory { get; } = directory;

    public int AmqpPort { get; } = firstPort;

    public int DistributionPort { get; } = firstPort + 1;

    public int ManagementPort { get; } = firstPort + ManagementPortOffset;

    public int StreamPort { get; } = firstPort + 3;

    public int PortMapperPort { get; } = portMapperPort;

    public Uri AmqpUri => new(string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{AmqpPort}/"));

    public Uri ManagementUri => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ManagementPort}/"));

    /// <summary>What the node and its command-line tools run with: everything the node needs to find its own files, ports and
    /// port mapper, and nothing machine-wide.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // The CLI tools find the Erlang cookie in $HOME; the node's own directory holds it.
        ["HOME"] = Directory,
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = Invariant(AmqpPort),
        ["RABBITMQ_DIST_PORT"] = Invariant(DistributionPort),
        ["ERL_EPMD_PORT"] = Invariant(PortMapperPort),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(Directory, "log"),
        ["RABBITMQ_LOGS"] = "-",
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Directory, "enabled_plugins"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Directory, "rabbitmq.conf"),
        // Keep the machine-wide files in /etc/rabbitmq out: these two do not exist.
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Directory, "rabbitmq-env.conf"),
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(Directory, "advanced.config"),
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        // The port mapper is a resource of its own; a VM (the broker, the CLI) must not start a daemon nobody owns.
        ["ERL_FLAGS"] = "-start_epmd false",
    };

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
