namespace ECommerce.Component.Tests.Balance;

/// <summary>One item of GET /api/users/{userId}/balance/history as a client reads it.</summary>
public sealed record HistoryRow(long Sequence, string Type, decimal Amount, decimal BalanceAfter, Guid? OrderId, DateTimeOffset At);
