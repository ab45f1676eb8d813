namespace ECommerce.DataPlatform.Projections;

/// <summary>Amounts are kept as whole cents: exact, and summable and sortable by SQLite (which has no decimal type) as well as
/// PostgreSQL. The contract allows at most two fraction digits.</summary>
public static class Money
{
    public static long ToCents(decimal amount) => decimal.ToInt64(decimal.Round(amount * 100m, MidpointRounding.ToEven));

    public static decimal FromCents(long cents) => cents / 100m;
}
