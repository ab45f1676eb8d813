namespace ECommerce.Integration.TestHost.Sequencing;

/// <summary>What the group has applied for one key so far. Updated in the same transaction as the inbox row, so it counts
/// each message once however often the broker delivers it.</summary>
public sealed class KeyProgress
{
    public long Key { get; set; }

    public long LastSequence { get; set; }

    /// <summary>Messages that arrived with a sequence other than <see cref="LastSequence"/> + 1: a gap, a reordering, or a
    /// duplicate that slipped past the inbox.</summary>
    public int Violations { get; set; }
}
