using MassTransit;

namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>New key values for stored rows (request, order, outbox message ids and the like).</summary>
/// <remarks>Time-ordered as text and as a PostgreSQL uuid, so an insert lands on the last page of the key's index. A random
/// key (<see cref="Guid.NewGuid"/>, or <see cref="NewId.NextGuid"/>, which orders only as SQL Server compares GUIDs) dirties a
/// different page of the index with every row: under a flash sale on SQLite the unique indexes of the outbox message id and
/// the request id were 83 % of the pages written to the write-ahead log.</remarks>
public static class RowId
{
    public static Guid New() => NewId.NextSequentialGuid();
}
