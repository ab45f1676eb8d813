namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>The observable side effect of a test consumer: one row per applied message, so "exactly once" is a row count.</summary>
public sealed class Effect
{
    public long Id { get; set; }

    public Guid MessageId { get; set; }

    public required string Kind { get; set; }

    public decimal Amount { get; set; }
}
