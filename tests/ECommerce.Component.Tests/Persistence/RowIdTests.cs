using ECommerce.ServiceDefaults.Persistence;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

public sealed class RowIdTests
{
    [Fact]
    public void Ids_sort_in_creation_order_as_SQLite_text_and_as_PostgreSQL_uuids()
    {
        var ids = Enumerable.Range(0, 50_000).Select(_ => RowId.New()).ToList();

        for (var i = 1; i < ids.Count; i++)
        {
            // EF Core stores a Guid in SQLite as upper-case text; PostgreSQL compares uuids byte by byte in RFC 4122 order.
            Assert.True(string.CompareOrdinal(ids[i - 1].ToString().ToUpperInvariant(), ids[i].ToString().ToUpperInvariant()) < 0,
                $"id {i} ({ids[i]}) does not sort after id {i - 1} ({ids[i - 1]}) as text");
            Assert.True(ids[i - 1].ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(ids[i].ToByteArray(bigEndian: true)) < 0,
                $"id {i} ({ids[i]}) does not sort after id {i - 1} ({ids[i - 1]}) as a uuid");
        }
    }
}
