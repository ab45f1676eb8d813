using System.Globalization;

namespace ECommerce.AppHost.Hosting;

/// <summary>The AppHost's command line, turned into configuration keys of <see cref="AppHostSettings"/>. Flags without a
/// value (<c>--postgres</c>) are why this is not the generic command-line configuration provider.</summary>
public static class AppHostCommandLine
{
    public const string Usage = """
        Usage: dotnet run --project AppHost -- [options]
          --postgres            run PostgreSQL with one database per service (default: SQLite files in the data directory)
          --rabbitmq-cluster    run a 3-node RabbitMQ cluster with quorum queues instead of one node
          --data-dir <path>     where SQLite files live (default: .apphost/data in the repository)
          --port-offset <n>     add n to every port (services 5101-5104, dashboard 18888)
          --port-base <b>       the same as --port-offset b-5100: services on b+1..b+4, dashboard on 18888+(b-5100)
          --help                show this text
        Configuration and environment: ConnectionStrings__messaging=<amqp uri> uses that broker instead of starting one;
        AppHost__UsePostgres, AppHost__RabbitMqNodes, AppHost__DataDirectory, AppHost__PortOffset mirror the options above.
        """;

    /// <summary>Configuration entries for <paramref name="args"/>; null when --help was asked for.</summary>
    /// <exception cref="ArgumentException">An unknown option or a missing or malformed value; the message says which.</exception>
    public static IReadOnlyDictionary<string, string?>? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    return null;
                case "--postgres":
                    result[$"{AppHostSettings.SectionName}:{nameof(AppHostSettings.UsePostgres)}"] = "true";
                    break;
                case "--rabbitmq-cluster":
                    result[$"{AppHostSettings.SectionName}:{nameof(AppHostSettings.RabbitMqNodes)}"] = "3";
                    break;
                case "--data-dir":
                    result[$"{AppHostSettings.SectionName}:{nameof(AppHostSettings.DataDirectory)}"] = ValueOf(args, ref i);
                    break;
                case "--port-offset":
                    result[$"{AppHostSettings.SectionName}:{nameof(AppHostSettings.PortOffset)}"] =
                        IntegerOf(args, ref i).ToString(CultureInfo.InvariantCulture);
                    break;
                case "--port-base":
                    result[$"{AppHostSettings.SectionName}:{nameof(AppHostSettings.PortOffset)}"] =
                        (IntegerOf(args, ref i) - ECommerceSuite.DefaultPortBase).ToString(CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        return result;
    }

    private static int IntegerOf(IReadOnlyList<string> args, ref int index)
    {
        var option = args[index];
        var value = ValueOf(args, ref index);
        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{option} needs a whole number, not '{value}'.");
    }

    private static string ValueOf(IReadOnlyList<string> args, ref int index)
    {
        if (index + 1 >= args.Count || args[index + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"{args[index]} needs a value.");
        }

        return args[++index];
    }
}
