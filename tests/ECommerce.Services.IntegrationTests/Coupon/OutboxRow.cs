namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>An outbox row's body and its timeline: written (in the producing transaction) and marked sent by the relay after
/// the broker confirmed it.</summary>
public sealed record OutboxRow(string Body, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);
