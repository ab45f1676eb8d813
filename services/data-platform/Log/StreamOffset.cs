namespace ECommerce.DataPlatform.Log;

/// <summary>The consumer's position in one stream: the offset of the last record applied. Written in the same transaction as
/// that record's effects, so a restart resumes exactly after it. (Over AMQP 0.9.1 the broker keeps no offsets.)</summary>
public sealed class StreamOffset
{
    public required string Stream { get; set; }

    public long Offset { get; set; }
}
