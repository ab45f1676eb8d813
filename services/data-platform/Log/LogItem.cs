namespace ECommerce.DataPlatform.Log;

/// <summary>A record of the log, read: where it sits, and either the event it carries or why it is poison.</summary>
public sealed record LogItem(LogPartition Partition, long Offset, LogRecord? Record, LogPoison? Poison);
