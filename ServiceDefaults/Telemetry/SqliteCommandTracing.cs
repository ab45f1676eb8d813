using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ECommerce.ServiceDefaults.Telemetry;

/// <summary>A client span per SQLite command, which Npgsql gives PostgreSQL by itself: without it a trace on the default
/// database would show a consumer doing nothing for the time it spends in the database. The span is started without becoming
/// <see cref="Activity.Current"/>, so nothing else is parented on it by accident. Costs nothing while no listener samples.</summary>
internal sealed class SqliteCommandTracing : DbCommandInterceptor
{
    public const string SourceName = "ECommerce.Database";

    const int MaxStatementLength = 2048;
    static readonly ActivitySource Source = new(SourceName);
    readonly ConditionalWeakTable<DbCommand, Activity> _running = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Start(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Start(command);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Stop(command, null);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Stop(command, null);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Start(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Start(command);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Stop(command, null);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Stop(command, null);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Start(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Start(command);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Stop(command, null);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        Stop(command, null);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Stop(command, eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Stop(command, eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>True inside a traced operation (a request, a consumed message, a relay pass). A database command outside one
    /// is a background loop polling (the relay, the timeout sweeper, a lease): as a trace of its own every few hundred
    /// milliseconds it would bury the traces that matter, so neither SQLite's nor Npgsql's commands are traced there.</summary>
    public static bool InsideOperation => Activity.Current is not null;

    void Start(DbCommand command)
    {
        if (!Source.HasListeners() || !InsideOperation)
            return;
        var previous = Activity.Current;
        var text = command.CommandText;
        var verb = text.TrimStart().Split(' ', 2)[0].ToUpperInvariant();
        var activity = Source.StartActivity("sqlite " + verb, ActivityKind.Client);
        Activity.Current = previous;
        if (activity is null)
            return;
        activity.SetTag("db.system.name", "sqlite");
        activity.SetTag("db.operation.name", verb);
        activity.SetTag("db.query.text", text.Length > MaxStatementLength ? text[..MaxStatementLength] : text);
        _running.AddOrUpdate(command, activity);
    }

    void Stop(DbCommand command, Exception? error)
    {
        if (!_running.TryGetValue(command, out var activity))
            return;
        _running.Remove(command);
        if (error is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.SetTag("error.type", error.GetType().FullName);
        }

        activity.Stop();
    }
}
