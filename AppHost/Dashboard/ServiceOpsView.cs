namespace ECommerce.AppHost.Dashboard;

/// <summary>What one service's ops API said: its outbox backlog (when asked) and why it could not say more.</summary>
internal sealed record ServiceOpsView(string Service, long? OutboxBacklog, string? Error);
