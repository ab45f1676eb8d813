namespace ECommerce.AppHost.Hosting;

/// <summary>One console line of a resource. <see cref="Sequence"/> grows by one per line of that resource, so a reader can
/// ask for what came after the last line it saw.</summary>
public sealed record ResourceLogLine(long Sequence, DateTimeOffset Timestamp, string Text, bool IsErrorStream);
