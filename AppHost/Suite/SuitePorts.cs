namespace ECommerce.AppHost.Suite;

/// <summary>Where everything listens, as offsets from <see cref="SuiteSettings.PortBase"/> (5100): the services on 5101-5104
/// (DESIGN §3), PostgreSQL on 5105, the broker's nodes from 5110 on. All on 127.0.0.1.</summary>
public static class SuitePorts
{
    public const int DefaultBase = 5100;
    public const int DefaultDashboard = 18888;

    public const int Order = 1;
    public const int Coupon = 2;
    public const int Balance = 3;
    public const int DataPlatform = 4;
    public const int Postgres = 5;

    /// <summary>The broker's Erlang port mapper, shared by its nodes.</summary>
    public const int BrokerPortMapper = 9;

    /// <summary>Node n (1-based) of the broker takes the ten ports from 10·n on.</summary>
    public static int BrokerNode(int node) => 10 * node;
}
