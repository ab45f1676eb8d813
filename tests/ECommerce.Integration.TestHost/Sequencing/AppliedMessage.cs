namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>One message the sequencing consumer applied: which instance applied it, from which partition queue, and whether
/// the broker flagged it as a redelivery (the in-flight message of a killed instance).</summary>
public sealed class AppliedMessage
{
    public Guid MessageId { get; set; }

    public long Key { get; set; }

    public long Sequence { get; set; }

    public required string Instance { get; set; }

    public required string Queue { get; set; }

    public bool Redelivered { get; set; }

    /// <summary>Order of application across the whole group (the row's identity), for "what happened after the kill".</summary>
    public long Position { get; set; }
}
