using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>Values in the form EF Core stores them in the suite's SQLite databases, for set-based statements that pass rows as
/// one JSON array (read with <c>json_each</c>) instead of through the change tracker: a GUID as upper-case text, a timestamp
/// as <see cref="DateTimeOffsetToBinaryConverter"/> writes it (the convention <see cref="MessagingDbContext"/> sets on SQLite).</summary>
public static class SqliteValues
{
    static readonly DateTimeOffsetToBinaryConverter Timestamps = new();

    public static string Guid(Guid value) => value.ToString().ToUpperInvariant();

    public static string? Guid(Guid? value) => value is { } id ? Guid(id) : null;

    public static long Timestamp(DateTimeOffset value) => (long)Timestamps.ConvertToProvider(value)!;
}
