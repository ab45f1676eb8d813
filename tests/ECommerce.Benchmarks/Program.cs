using System.Globalization;
using ECommerce.Benchmarks;
using ECommerce.Benchmarks.Balance;
using ECommerce.Benchmarks.Coupon;
using ECommerce.Benchmarks.DataPlatform;
using ECommerce.Benchmarks.Order;
using ECommerce.Benchmarks.Report;
using ECommerce.Services.IntegrationTests.Infrastructure;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

if (options.Mode == "help")
{
    Console.WriteLine(BenchmarkOptions.Usage);
    return 0;
}

var invariant = CultureInfo.InvariantCulture;
var loadBefore = MachineDescription.LoadAverage();

// The harness's shared servers: one Kafka node (the AppHost's layout) and one PostgreSQL cluster for the whole run; each
// benchmark gets a topic prefix and databases of its own on them (ServiceEnvironment), as each integration test does.
var output = new BenchmarkOutput();
var work = Directory.CreateTempSubdirectory("ecommerce-bench-");
try
{
    // Both at once: each takes seconds. Should one fail, the finally below stops the other.
    await Task.WhenAll(SharedInfrastructure.BrokerAsync(), SharedInfrastructure.DatabaseAsync());
    var broker = await SharedInfrastructure.BrokerAsync();
    var postgres = await SharedInfrastructure.DatabaseAsync();
    Console.WriteLine($"[bench] Kafka node on {broker.BootstrapServer} (pid {broker.Pid}), PostgreSQL on port {postgres.Port}");

    var succeeded = true;
    var outbox = new List<BenchmarkResult>();
    if (options.RunsOutbox)
    {
        outbox.Add(await OutboxBenchmark.RunAsync("sqlite", $"Data Source={Path.Combine(work.FullName, "bench.db")}", broker.BootstrapServer,
            options.OutboxMessages, options.OutboxKeys));
        outbox.Add(await OutboxBenchmark.RunAsync("postgresql", await postgres.CreateDatabaseAsync("bench"), broker.BootstrapServer,
            options.OutboxMessages, options.OutboxKeys));
        succeeded &= outbox.All(r => r.Delivered == r.Messages);
    }

    // The relay runs in this process and nothing else has run in it yet, so this process's peak is the relay's.
    var relayPeak = ProcessMemory.PeakResidentBytesOfThisProcess();

    var ceiling = new List<BrokerCeilingResult>();
    long? brokerPeak = null;
    var coupon = new List<CouponRunResult>();
    if (options.RunsCoupon)
    {
        ceiling.AddRange(await BrokerCeilingBenchmark.RunAsync(broker.BootstrapServer, options.BrokerMessages));
        brokerPeak = ProcessMemory.PeakResidentBytes(broker.Pid);
        foreach (var provider in options.Providers)
            coupon.AddRange(await CouponBenchmark.RunAsync(provider, options, output));

        // A failed request (an HTTP error under overload) is a measured result, reported in the table, not a benchmark failure.
    }

    var balance = new List<BalanceRunResult>();
    if (options.RunsBalance)
    {
        foreach (var provider in options.Providers)
            balance.AddRange(await BalanceBenchmark.RunAsync(provider, options, output));

        succeeded &= balance.All(r => r.Failed == 0 && r.EndToEnd.Count == r.Operations);
    }

    var ingest = new List<IngestResult>();
    if (options.RunsIngest)
    {
        foreach (var provider in options.Providers)
            ingest.AddRange(await IngestBenchmark.RunAsync(provider, options, output));

        succeeded &= ingest.All(r => r.Ingested == r.Events);
    }

    var orders = new List<OrdersResult>();
    if (options.RunsOrders)
    {
        foreach (var provider in options.Providers)
            orders.Add(await OrdersBenchmark.RunAsync(provider, options, output));

        succeeded &= orders.All(r => r.Completed == r.Orders);
    }

    LeaderLossResult? leaderLoss = null;
    if (options.RunsLeaderLoss)
    {
        leaderLoss = await LeaderLossBenchmark.RunAsync(options, output);
        succeeded &= leaderLoss.Decided == leaderLoss.Load.Accepted;
    }

    if (outbox.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine($"{"benchmark",-28} {"messages",9} {"seconds",8} {"msg/s",9} {"delivered",10}");
        foreach (var r in outbox)
            Console.WriteLine(string.Create(invariant, $"{"outbox relay (" + r.Provider + ")",-28} {r.Messages,9} {r.Elapsed.TotalSeconds,8:F2} {r.PerSecond,9:F0} {r.Delivered,10}"));
    }

    if (ceiling.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine("raw broker ceiling: 1 KiB records, idempotent producer (acks=all) to 4 partitions, consumed at the same time by a");
        Console.WriteLine("consumer-group member that commits its offsets (Confluent.Kafka only, the suite's client settings, no service code)");
        Console.WriteLine($"{"shape",-44} {"records",9} {"produced/s",12} {"through/s",10}");
        foreach (var r in ceiling)
            Console.WriteLine(string.Create(invariant, $"{r.Name,-44} {r.Messages,9} {r.PublishedPerSecond,12:F0} {r.ThroughPerSecond,10:F0}"));
    }

    if (coupon.Count > 0)
    {
        var pipelined = ceiling.FirstOrDefault()?.ThroughPerSecond ?? double.NaN;
        Console.WriteLine();
        Console.WriteLine("coupon flash sale, one service instance, one coupon (stock = half the requests, one request per user)");
        Console.WriteLine("latency: accepted→decided = DecidedAt − AcceptedAt (service clock, database); HTTP = client-side 202 round trip");
        Console.WriteLine($"{"database",-10} {"load",-26} {"requests",8} {"failed",6} {"offered/s",9} {"accepted/s",10} {"decided/s",9} {"drain/s",8} " +
            $"{"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"http p50",8} {"http p99",8} {"vs broker",9}");
        foreach (var r in coupon)
        {
            Console.WriteLine(string.Create(invariant,
                $"{r.Provider,-10} {r.Mode,-26} {r.Load.Sent,8} {r.Load.Failed,6} {r.Load.OfferedPerSecond,9:F0} {r.Load.AcceptedPerSecond,10:F0} {r.DecidedPerSecond,9:F0} " +
                $"{(double.IsNaN(r.DrainPerSecond) ? "-" : r.DrainPerSecond.ToString("F0", invariant)),8} " +
                $"{r.Decided.Format(50),7} {r.Decided.Format(95),7} {r.Decided.Format(99),7} {r.Load.Http.Format(50),8} {r.Load.Http.Format(99),8} " +
                $"{r.DecidedPerSecond / pipelined,9:P1}"));
        }

        Console.WriteLine();
        Console.WriteLine("where the time and the CPU went (CPU: share of all cores, from the first request to the last decision; outbox: rows the relay has yet to publish, sampled once a second)");
        Console.WriteLine($"{"database",-10} {"load",-26} {"outbox p50",10} {"outbox max",10} " +
            string.Join(' ', CpuSnapshot.Parts.Select(p => $"{p,14}")) + $" {"idle",6}");
        foreach (var r in coupon)
        {
            var idle = 1 - r.Cpu.Values.Sum();
            Console.WriteLine(string.Create(invariant, $"{r.Provider,-10} {r.Mode,-26} {r.OutboxMedian,10} {r.OutboxMax,10} ") +
                string.Join(' ', CpuSnapshot.Parts.Select(p => string.Create(invariant, $"{r.Cpu[p],14:P0}"))) + string.Create(invariant, $" {idle,6:P0}"));
        }
    }

    if (balance.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine("balance, one service instance; each client owns a user and sends its operations back to back");
        Console.WriteLine("accepted = HTTP 200 (charge committed) or the broker's ack (deduct produced, acks=all); end to end = sent → the change's event arrived on balance-activity");
        Console.WriteLine($"{"database",-10} {"phase",-22} {"ops",6} {"failed",6} {"acc/s",7} {"e2e/s",7} {"acc p50",7} {"acc p95",7} {"acc p99",7} {"e2e p50",7} {"e2e p95",7} {"e2e p99",7}");
        foreach (var r in balance)
        {
            Console.WriteLine(string.Create(invariant,
                $"{r.Provider,-10} {r.Phase,-22} {r.Operations,6} {r.Failed,6} {r.AcceptedPerSecond,7:F0} {r.PerSecond,7:F0} {r.Accepted.Format(50),7} {r.Accepted.Format(95),7} {r.Accepted.Format(99),7} " +
                $"{r.EndToEnd.Format(50),7} {r.EndToEnd.Format(95),7} {r.EndToEnd.Format(99),7}"));
        }
    }

    if (ingest.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine("data platform ingest: events read from the domain topics' retained records and applied (event row, projections, offsets), one instance");
        Console.WriteLine($"{"database",-10} {"shape",-32} {"events",8} {"seconds",8} {"events/s",9} {"ingested",9}");
        foreach (var r in ingest)
            Console.WriteLine(string.Create(invariant, $"{r.Provider,-10} {r.Shape,-32} {r.Events,8} {r.Elapsed.TotalSeconds,8:F2} {r.PerSecond,9:F0} {r.Ingested,9}"));
    }

    if (orders.Count > 0)
    {
        Console.WriteLine();
        Console.WriteLine("orders end to end: HTTP accept, saga (stock, coupon for 1 in 5, payment), completion; one order-service instance;");
        Console.WriteLine("balance and coupon answered by an in-process double over the broker; latency = FinishedAt − CreatedAt (service clock)");
        Console.WriteLine($"{"database",-10} {"orders",7} {"completed",9} {"failed",6} {"seconds",8} {"completed/s",11} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7}");
        foreach (var r in orders)
            Console.WriteLine(string.Create(invariant, $"{r.Provider,-10} {r.Orders,7} {r.Completed,9} {r.Failed,6} {r.Elapsed.TotalSeconds,8:F1} {r.CompletedPerSecond,11:F0} " +
                $"{r.Terminal.Format(50),7} {r.Terminal.Format(95),7} {r.Terminal.Format(99),7}"));
        Console.WriteLine();
        Console.WriteLine("where the CPU went: milliseconds of CPU per order, by part, while the orders ran (load generator = HTTP clients and the");
        Console.WriteLine($"balance/coupon double); total = all but other; ceiling = orders/s {Environment.ProcessorCount} cores complete at that total with none idle");
        Console.WriteLine($"{"database",-10} " + string.Join(' ', CpuSnapshot.Parts.Select(p => $"{p,14}")) + $" {"total",6} {"idle",6} {"ceiling/s",9}");
        foreach (var r in orders)
        {
            var idle = 1 - r.Cpu.Values.Sum();
            Console.WriteLine($"{r.Provider,-10} " + string.Join(' ', CpuSnapshot.Parts.Select(p => string.Create(invariant, $"{r.CpuMsPerOrder(p),14:F1}"))) +
                string.Create(invariant, $" {r.TotalCpuMsPerOrder,6:F1} {idle,6:P0} {r.CpuBoundCeiling,9:F0}"));
        }
    }

    if (leaderLoss is { } loss)
    {
        Console.WriteLine();
        Console.WriteLine("leader loss: a coupon sale on a three-broker cluster (replication 3, min.insync.replicas 2), one service instance on SQLite;");
        Console.WriteLine("the broker leading the sale's coupon-issue partition SIGKILLed half-way; pause = the longest stretch after the kill without a");
        Console.WriteLine("decision (failure detection: broker.session.timeout.ms = 2 s)");
        Console.WriteLine($"{"offered/s",9} {"requests",8} {"failed",6} {"decided",7} {"pause s",7} {"from s",6} {"to s",6} {"p50 ms",7} {"p99 ms",7} {"controller killed",17}");
        Console.WriteLine(string.Create(invariant,
            $"{loss.Load.OfferedPerSecond,9:F0} {loss.Load.Sent,8} {loss.Load.Failed,6} {loss.Decided,7} {loss.Pause.TotalSeconds,7:F2} {loss.PauseFrom.TotalSeconds,6:F2} " +
            $"{loss.PauseTo.TotalSeconds,6:F2} {loss.AcceptedToDecided.Format(50),7} {loss.AcceptedToDecided.Format(99),7} {(loss.ControllerKilled ? "yes" : "no"),17}"));
    }

    var summary = new List<ReportRow>();
    summary.AddRange(outbox.Select(r => new ReportRow("outbox relay", r.Provider, $"{options.OutboxMessages} rows, {options.OutboxKeys} keys",
        r.PerSecond, "msg/s", null, "", "bench (relay)", relayPeak)));
    summary.AddRange(ceiling.Select(r => new ReportRow("broker ceiling", "-", r.Name, r.ThroughPerSecond, "msg/s", null, "", "kafka", brokerPeak)));
    summary.AddRange(coupon.Select(r => new ReportRow("coupon sale", r.Provider, r.Mode, r.DecidedPerSecond, "decided/s", r.Decided,
        "accepted→decided", "coupon service", r.PeakBytes)));
    summary.AddRange(balance.Select(r => new ReportRow("balance", r.Provider, r.Phase, r.PerSecond, "ops/s", r.EndToEnd,
        "sent→event", "balance service", r.PeakBytes)));
    summary.AddRange(orders.Select(r => new ReportRow("orders", r.Provider, $"closed loop, {options.Clients} clients", r.CompletedPerSecond,
        "completed/s", r.Terminal, "placed→terminal", "order service", r.PeakBytes)));
    summary.AddRange(ingest.Select(r => new ReportRow("ingest", r.Provider, r.Shape, r.PerSecond, "events/s", null, "",
        "data-platform", r.PeakBytes)));
    if (leaderLoss is { } lost)
    {
        summary.Add(new ReportRow("leader loss", "sqlite", string.Create(invariant, $"open loop {options.Rate:0}/s, 3 brokers, leader killed"),
            lost.Pause.TotalMilliseconds, "ms paused", lost.AcceptedToDecided, "accepted→decided", "coupon service", lost.PeakBytes));
    }

    if (summary.Count > 0)
        SummaryTable.Print(summary, MachineDescription.Describe(loadBefore, broker.KafkaHomeDirectory));

    return succeeded ? 0 : 1;
}
finally
{
    // Both servers, whichever started: no java or postgres process outlives the run.
    await SharedInfrastructure.StopAsync();
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    work.Delete(recursive: true);
}
