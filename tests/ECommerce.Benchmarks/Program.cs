using System.Globalization;
using System.Runtime.InteropServices;
using ECommerce.AppHost.Infrastructure;
using ECommerce.Benchmarks;

// Usage: dotnet run -c Release --project tests/ECommerce.Benchmarks -- [messages] [keys]
var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var keys = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;

await using var broker = await RabbitMqNode.StartAsync();
await using var postgres = await PostgresCluster.StartAsync();
var work = Directory.CreateTempSubdirectory("ecommerce-bench-");
try
{
    var results = new List<BenchmarkResult>
    {
        await OutboxBenchmark.RunAsync("sqlite", $"Data Source={Path.Combine(work.FullName, "bench.db")}", broker.AmqpUri, messages, keys),
        await OutboxBenchmark.RunAsync("postgresql", await postgres.CreateDatabaseAsync("bench"), broker.AmqpUri, messages, keys),
    };

    Console.WriteLine();
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    Console.WriteLine($"{"benchmark",-28} {"messages",9} {"seconds",8} {"msg/s",9} {"delivered",10}");
    foreach (var r in results)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-28} {r.Messages,9} {r.Elapsed.TotalSeconds,8:F2} {r.PerSecond,9:F0} {r.Delivered,10}"));
    return results.All(r => r.Delivered == r.Messages) ? 0 : 1;
}
finally
{
    work.Delete(recursive: true);
}
