namespace ECommerce.Coupon.Issuing;

/// <summary>Configuration section <c>Issuing</c>.</summary>
public sealed class IssuingOptions
{
    public const string SectionName = "Issuing";

    /// <summary>How many pending requests of one coupon a single transaction decides at most.</summary>
    public int DecisionBatchSize { get; set; } = 2_000;

    /// <summary>How many accepted requests one transaction records at most (see <see cref="IssueRequestWriter"/>).</summary>
    public int AcceptBatchSize { get; set; } = 500;
}
