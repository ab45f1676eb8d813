namespace ECommerce.AppHost.Telemetry;

/// <summary>Log records matching a query, oldest first, and the last sequence stored (ask after it next time).</summary>
internal sealed record LogsPage(IReadOnlyList<LogView> Items, long LastSequence);
