namespace ECommerce.Services.IntegrationTests.Balance;

/// <summary>One event seen on balance-activity, in arrival order: its type name, user, sequence (null for a rejection, which
/// changes no balance and has none) and when it arrived (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
public sealed record ObservedEvent(Guid MessageId, string Type, long UserId, long? Sequence, long ArrivedTimestamp);
