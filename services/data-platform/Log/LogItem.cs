namespace ECommerce.DataPlatform.Log;

/// <summary>A delivery from a stream, read: either a record or a poison message.</summary>
/// <param name="DeliveryTag">The channel's tag, acknowledged once the item's batch committed.</param>
public sealed record LogItem(ulong DeliveryTag, LogStream Stream, long Offset, LogRecord? Record, LogPoison? Poison);
