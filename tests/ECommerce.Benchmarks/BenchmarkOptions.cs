using System.Globalization;
using ECommerce.Services.IntegrationTests.Infrastructure;

namespace ECommerce.Benchmarks;

/// <summary>The command line: <c>[outbox|coupon|balance|ingest|orders|leader-loss|all] [--name value]…</c>. For compatibility, a first argument that is a number
/// selects the outbox benchmark with <c>[messages] [keys]</c> as before.</summary>
internal sealed class BenchmarkOptions
{
    public string Mode { get; private set; } = "all";

    /// <summary>Outbox benchmark: rows committed before the relay starts, and how many partition keys they spread over.</summary>
    public int OutboxMessages { get; private set; } = 20_000;

    public int OutboxKeys { get; private set; } = 100;

    /// <summary>Coupon benchmark, closed loop: requests sent by <see cref="Clients"/> clients back to back.</summary>
    public int Requests { get; private set; } = 10_000;

    public int Clients { get; private set; } = 64;

    /// <summary>Coupon benchmark, open loop: requests per second offered for <see cref="Seconds"/> seconds.</summary>
    public double Rate { get; private set; } = 1_000;

    public double Seconds { get; private set; } = 10;

    /// <summary>How long the service is driven before anything is measured. A fresh instance spends its first minute or so
    /// mostly in the JIT (tiered compilation and dynamic PGO recompiling MassTransit, EF Core and Npgsql code as it gets hot):
    /// measured cold, it shows the JIT, not the design.</summary>
    public double WarmUpSeconds { get; private set; } = 45;

    /// <summary>Which databases the coupon benchmark runs on.</summary>
    public IReadOnlyList<string> Providers { get; private set; } = ["sqlite", "postgresql"];

    /// <summary>Balance benchmark: deduct commands, spread over the <see cref="Clients"/> users (charges are <see cref="Requests"/>).</summary>
    public int Deducts { get; private set; } = 5_000;

    /// <summary>Raw broker ceiling: messages per run.</summary>
    public int BrokerMessages { get; private set; } = 50_000;

    /// <summary>Extra environment for the service process (<c>--service-env NAME=VALUE</c>, repeatable), for experiments such as
    /// runtime settings; the reported figures are of the service as deployed unless this is used.</summary>
    public Dictionary<string, string> ServiceEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>The environment a service instance gets on top of the harness's: the outbox lease as deployed (the harness
    /// shortens it for tests that kill instances), then <paramref name="extra"/> (a benchmark's own settings), then
    /// <see cref="ServiceEnvironment"/>, so that an experiment can override anything.</summary>
    public Dictionary<string, string> EnvironmentForService(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["Messaging__OutboxLease"] = "00:00:10" };
        foreach (var (key, value) in (extra ?? new Dictionary<string, string>()).Concat(ServiceEnvironment))
            environment[key] = value;
        return environment;
    }

    public bool RunsOutbox => Mode is "outbox" or "all";

    public bool RunsCoupon => Mode is "coupon" or "all";

    public bool RunsBalance => Mode is "balance" or "all";

    /// <summary>Data platform ingest benchmark: events per run (backlog, then live).</summary>
    public int IngestEvents { get; private set; } = 30_000;

    /// <summary>Order benchmark: orders placed by <see cref="Clients"/> clients back to back after the warm-up.</summary>
    public int Orders { get; private set; } = 5_000;

    public bool RunsOrders => Mode is "orders" or "all";

    public bool RunsIngest => Mode is "ingest" or "all";

    public bool RunsLeaderLoss => Mode is "leader-loss" or "all";

    public const string Usage = """
        Usage: dotnet run -c Release --project tests/ECommerce.Benchmarks -- [outbox|coupon|balance|ingest|orders|leader-loss|all] [options]
          outbox: --messages 20000 --keys 100                 (or, as before, just: [messages] [keys])
          coupon: --requests 10000 --clients 64 --rate 1000 --seconds 10 --providers sqlite,postgresql --broker-messages 50000
                  --warmup-seconds 45 --service-env NAME=VALUE (repeatable: extra environment for the service process, for experiments)
          balance: --requests 10000 (charges) --deducts 5000 --clients 64 --providers sqlite,postgresql --warmup-seconds 45
          ingest: --events 30000 --providers sqlite,postgresql   (data platform: events ingested per second)
          orders: --orders 5000 --clients 64 --providers sqlite,postgresql --warmup-seconds 45   (orders completed per second, submit→terminal latency)
          leader-loss: --rate 1000 --seconds 10   (a coupon sale on a three-broker cluster of its own, SQLite; the broker leading the
                  sale's partition SIGKILLed half-way: the longest pause in decisions)
          all: every benchmark above, then one summary table (throughput, p50/p95/p99, peak memory per process) and the machine
        """;

    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions();
        if (args.Count > 0 && args[0] is "--help" or "-h" or "help")
        {
            options.Mode = "help";
            return options;
        }

        var i = 0;
        if (args.Count > 0 && int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var messages))
        {
            options.Mode = "outbox";
            options.OutboxMessages = messages;
            if (args.Count > 1)
                options.OutboxKeys = Int(args[1]);
            return options;
        }

        if (args.Count > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            options.Mode = args[0] is "outbox" or "coupon" or "balance" or "ingest" or "orders" or "leader-loss" or "all"
                ? args[0]
                : throw new ArgumentException($"Unknown mode '{args[0]}': outbox, coupon, balance, ingest, orders, leader-loss or all.");
            i = 1;
        }

        for (; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--messages": options.OutboxMessages = Int(value); break;
                case "--keys": options.OutboxKeys = Int(value); break;
                case "--requests": options.Requests = Int(value); break;
                case "--orders": options.Orders = Int(value); break;
                case "--clients": options.Clients = Int(value); break;
                case "--rate": options.Rate = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--seconds": options.Seconds = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warmup-seconds": options.WarmUpSeconds = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--providers":
                    options.Providers = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    foreach (var provider in options.Providers)
                        _ = DatabaseOf(provider);
                    break;
                case "--deducts": options.Deducts = Int(value); break;
                case "--events": options.IngestEvents = Int(value); break;
                case "--broker-messages": options.BrokerMessages = Int(value); break;
                case "--service-env":
                    var parts = value.Split('=', 2);
                    options.ServiceEnvironment[parts[0]] = parts.Length == 2 ? parts[1] : throw new ArgumentException("--service-env takes NAME=VALUE.");
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        return options;
    }

    /// <summary>The harness's name for a <c>--providers</c> entry.</summary>
    public static DatabaseKind DatabaseOf(string provider) => provider switch
    {
        "sqlite" => DatabaseKind.Sqlite,
        "postgresql" => DatabaseKind.PostgreSql,
        _ => throw new ArgumentException($"Unknown provider '{provider}': sqlite or postgresql."),
    };

    static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
