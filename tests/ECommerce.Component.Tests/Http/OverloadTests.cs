using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ECommerce.Component.Tests.Coupon;
using ECommerce.Coupon.Data;
using ECommerce.Coupon.Issuing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace ECommerce.Component.Tests.Http;

/// <summary>A database that cannot take a request (pool exhausted, timed out), or a service that is stopping, gets the client a 503 with Retry-After and
/// problem details, never a 500; nothing is recorded, so the retry is safe.</summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task ATimedOutDatabaseAnswers503WithRetryAfter()
    {
        await using var service = new CouponServiceFactory(services => services.ConfigureDbContext<CouponDbContext>(o =>
            o.AddInterceptors(new FailingCommandInterceptor("INSERT INTO \"issue_requests\"",
                new TimeoutException("The connection pool has been exhausted.")))));
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);

        using var response = await CouponApi.RequestAsync(client, couponId, new { userId = 1 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(0, await service.InScopeAsync(db => db.IssueRequests.CountAsync()));
    }

    /// <summary>What Npgsql throws when a pooled connection PostgreSQL closed in a restart breaks while a large command is
    /// still being sent (its reader reads on a torn-down connector): the statement never ran, so it is a 503, not a 500.</summary>
    [Fact]
    public async Task AConnectionBreakingUnderNpgsqlsReaderAnswers503()
    {
        await using var service = new CouponServiceFactory(services => services.ConfigureDbContext<CouponDbContext>(o =>
            o.AddInterceptors(new FailingCommandInterceptor("INSERT INTO \"issue_requests\"",
                new NullReferenceException { Source = "Npgsql" }))));
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);

        using var response = await CouponApi.RequestAsync(client, couponId, new { userId = 1 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, await service.InScopeAsync(db => db.IssueRequests.CountAsync()));
    }

    /// <summary>Npgsql's auto-prepared statements out of step with the server on one connection (a command failed on it, as
    /// around a restart): PostgreSQL refuses the statement, nothing is written, so it is a 503; any other refusal stays a
    /// 500.</summary>
    [Theory]
    [InlineData(PostgresErrorCodes.DuplicatePreparedStatement, HttpStatusCode.ServiceUnavailable)]
    [InlineData(PostgresErrorCodes.InvalidSqlStatementName, HttpStatusCode.ServiceUnavailable)]
    [InlineData(PostgresErrorCodes.SyntaxError, HttpStatusCode.InternalServerError)]
    public async Task AutoPreparedStatementsOutOfStepAnswer503(string sqlState, HttpStatusCode expected)
    {
        await using var service = new CouponServiceFactory(services => services.ConfigureDbContext<CouponDbContext>(o =>
            o.AddInterceptors(new FailingCommandInterceptor("INSERT INTO \"issue_requests\"",
                new PostgresException("prepared statement \"_auto1\" already exists", "ERROR", "ERROR", sqlState)))));
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);

        using var response = await CouponApi.RequestAsync(client, couponId, new { userId = 1 });

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(0, await service.InScopeAsync(db => db.IssueRequests.CountAsync()));
    }

    /// <summary>The same exception from anywhere else is a bug: a 500.</summary>
    [Fact]
    public async Task ANullReferenceOfOurOwnStaysA500()
    {
        await using var service = new CouponServiceFactory(services => services.ConfigureDbContext<CouponDbContext>(o =>
            o.AddInterceptors(new FailingCommandInterceptor("INSERT INTO \"issue_requests\"", new NullReferenceException()))));
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);

        using var response = await CouponApi.RequestAsync(client, couponId, new { userId = 1 });

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task ARequestReachingAStoppedWriterAnswers503AndRecordsNothing()
    {
        await using var service = new CouponServiceFactory();
        using var client = await service.StartAsync();
        var couponId = await CouponApi.CreateCouponAsync(client, stock: 5);
        await service.Services.GetRequiredService<IssueRequestWriter>().StopAsync(CancellationToken.None);

        using var response = await CouponApi.RequestAsync(client, couponId, new { userId = 1 });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The service is stopping. Nothing was changed.", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await service.InScopeAsync(db => db.IssueRequests.CountAsync()));
    }
}
