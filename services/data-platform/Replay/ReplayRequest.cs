namespace ECommerce.DataPlatform.Replay;

/// <summary>A request to rebuild the projections from the retained log, carried out by whichever instance reads the log.</summary>
public sealed class ReplayRequest
{
    public Guid Id { get; set; }

    public ReplayStatus Status { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Distinct events the rebuilt projections count.</summary>
    public long? EventsReplayed { get; set; }

    /// <summary>Records read from the domain topics, duplicates included.</summary>
    public long? RecordsRead { get; set; }

    public string? Error { get; set; }
}
