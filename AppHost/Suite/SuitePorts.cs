namespace ECommerce.AppHost.Suite;

/// <summary>Where everything listens, as offsets from <see cref="SuiteSettings.PortBase"/> (5100): the services on 5101-5104
/// (DESIGN §3), PostgreSQL on 5105, Kafka node n on 5100+10n (clients) and 5101+10n (its controller). All on 127.0.0.1.</summary>
public static class SuitePorts
{
    public const int DefaultBase = 5100;
    public const int DefaultDashboard = 18888;

    public const int Order = 1;
    public const int Coupon = 2;
    public const int Balance = 3;
    public const int DataPlatform = 4;
    public const int Postgres = 5;

    /// <summary>Node n (1-based) of the broker takes the ports from 10·n on.</summary>
    public static int BrokerNode(int node) => 10 * node;
}
