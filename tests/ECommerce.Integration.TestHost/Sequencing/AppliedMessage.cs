namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>One message the sequencing consumer applied: which instance applied it and where in the log it was read (topic,
/// partition, offset), so a test can tell which member owned a partition and that a partition's records were applied in
/// log order.</summary>
public sealed class AppliedMessage
{
    public Guid MessageId { get; set; }

    public long Key { get; set; }

    public long Sequence { get; set; }

    public required string Instance { get; set; }

    /// <summary>The topic the record was read from, without the suite's prefix (a retry topic's name if it came from one).</summary>
    public required string Topic { get; set; }

    public int Partition { get; set; }

    public long Offset { get; set; }

    /// <summary>Order of application across the whole group (the row's identity), for "what happened after the kill".</summary>
    public long Position { get; set; }
}
