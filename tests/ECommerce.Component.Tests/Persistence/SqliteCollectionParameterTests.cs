using ECommerce.Component.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>On SQLite a collection in a query goes in as one JSON parameter, not a parameter per element (EF Core 10's
/// default), whose binding costs the square of their number there; and it selects the same rows.</summary>
public sealed class SqliteCollectionParameterTests
{
    [Fact]
    public async Task A_collection_of_ids_is_one_parameter_and_matches_exactly_its_rows()
    {
        using var host = await SqliteHost<ComponentDbContext>.StartAsync("collections");
        await host.AddOutboxRowsAsync(20);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ComponentDbContext>();

        var sequences = await db.OutboxMessages.OrderBy(x => x.Sequence).Select(x => x.Sequence).ToListAsync();
        // Every other row, among 600 ids most of which match nothing: an IN list of 600 parameters before.
        var wanted = sequences.Where((_, i) => i % 2 == 0).Concat(Enumerable.Range(1, 590).Select(i => -(long)i)).ToList();
        var query = db.OutboxMessages.Where(x => wanted.Contains(x.Sequence));

        Assert.Contains("json_each", query.ToQueryString(), StringComparison.Ordinal);
        Assert.Equal(10, await query.ExecuteDeleteAsync());
        Assert.Equal(sequences.Where((_, i) => i % 2 == 1), await db.OutboxMessages.OrderBy(x => x.Sequence).Select(x => x.Sequence).ToListAsync());
    }
}
