using ECommerce.Testing.Infrastructure;

namespace ECommerce.Services.IntegrationTests.Infrastructure;

/// <summary>The three-broker KRaft cluster that the leader-loss test and the leader-loss benchmark each kill a broker of, and
/// the pause they both measure. The nodes get this project's broker options (<see cref="Brokers"/>) with a quick controller
/// failover: the controllers give up on a silent leader after <c>controller.quorum.fetch.timeout.ms</c> = 1 s (2 s by
/// default), and a split vote costs <c>controller.quorum.election.timeout.ms</c> (1 s) and a random backoff of up to
/// <c>controller.quorum.election.backoff.max.ms</c> (1 s) before the next round. Each node's log goes to the
/// INTEGRATION_TEST_LOG file, if one is set.</summary>
public sealed class LeaderLossCluster : IAsyncDisposable
{
    static readonly Dictionary<string, string> ControllerQuorum = new(StringComparer.Ordinal)
    {
        ["controller.quorum.fetch.timeout.ms"] = "1000",
        ["controller.quorum.election.timeout.ms"] = "1000",
        ["controller.quorum.election.backoff.max.ms"] = "1000",
    };

    int _activeController;

    LeaderLossCluster()
    {
    }

    public KafkaCluster Cluster { get; private set; } = null!;

    /// <summary>The active controller, as the nodes announce it: a node becoming the quorum's leader logs "Performing controller
    /// activation". (DescribeCluster cannot tell: on KRaft its controller id is any live broker, for old clients' sake.) It can
    /// change under load, so read it right before a kill.</summary>
    public int ActiveController => Volatile.Read(ref _activeController);

    public static async Task<LeaderLossCluster> StartAsync()
    {
        var watched = new LeaderLossCluster();
        watched.Cluster = await KafkaCluster.StartAsync(3, Brokers.Options(ControllerQuorum), (id, line) =>
        {
            if (line.Contains("Performing controller activation", StringComparison.Ordinal))
                Volatile.Write(ref watched._activeController, id);
            Brokers.Log($"kafka-{id}", line);
        }).ConfigureAwait(false);
        return watched;
    }

    /// <summary>The longest stretch after <paramref name="killedAt"/> without a decision (a batch decides many requests at one
    /// instant): between two consecutive decisions, the later one after the kill, counted from the kill at the earliest — a
    /// lull that began before the kill (the machine busy elsewhere) is not the broker's doing.</summary>
    public static (TimeSpan Length, DateTimeOffset From, DateTimeOffset To) LongestPause(IEnumerable<DateTimeOffset> decidedAt, DateTimeOffset killedAt)
    {
        var decisions = decidedAt.Distinct().Order().ToList();
        return decisions.Zip(decisions.Skip(1))
            .Where(d => d.Second > killedAt)
            .Select(d => (From: d.First > killedAt ? d.First : killedAt, To: d.Second))
            .Select(d => (Length: d.To - d.From, d.From, d.To))
            .MaxBy(d => d.Length);
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
