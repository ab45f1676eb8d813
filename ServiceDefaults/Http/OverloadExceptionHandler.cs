using System.Diagnostics.CodeAnalysis;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ECommerce.ServiceDefaults.Http;

/// <summary>Answers 503 with Retry-After when the database cannot take the request right now: the connection pool is
/// exhausted, a connection or command timed out, the server is unreachable or shutting down, a connection broke mid-command,
/// SQLite's writer lock is busy, this service is stopping and its group-commit writer no longer takes writes.
/// Nothing was committed (the request's transaction never completed), so the client may safely retry — with the same
/// Idempotency-Key where it has one. A 500 would claim a bug where there is only load.</summary>
internal sealed class OverloadExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOverload(exception))
            return false;

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = "1";
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The service cannot take the request right now; retry shortly.",
            Detail = exception is WriterStoppedException
                ? "The service is stopping. Nothing was changed."
                : "The database could not take the request in time. Nothing was changed.",
        };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception })
            .ConfigureAwait(false);
    }

    [SuppressMessage("Design", "CA1508", Justification = "Walks the inner-exception chain.")]
    static bool IsOverload(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case TimeoutException:
                case WriterStoppedException:
                case NpgsqlException { IsTransient: true }:
                case SqliteException { SqliteErrorCode: 5 or 6 }: // SQLITE_BUSY, SQLITE_LOCKED
                // Npgsql's own failure when the connection breaks while a large command is still being sent (a pooled
                // connection PostgreSQL closed in a restart, first used again for a batch insert): its reader reads on a
                // connector already torn down (npgsql/npgsql#1323). The statement never ran. Seen in CI as four 500s, one
                // group-commit batch, right after the database came back.
                case NullReferenceException { Source: "Npgsql" }:
                // Npgsql's bookkeeping of a connection's auto-prepared statements out of step with the server after a command
                // failed on it (seen right after PostgreSQL came back from a restart: 58 requests of one group-commit batch
                // answered 500 in half a second; npgsql/npgsql#4082, #6391). The statement was refused, the transaction rolls
                // back, and the next attempt runs on a connection in step.
                case PostgresException { SqlState: PostgresErrorCodes.DuplicatePreparedStatement or PostgresErrorCodes.InvalidSqlStatementName }:
                    return true;
            }
        }

        return false;
    }
}
