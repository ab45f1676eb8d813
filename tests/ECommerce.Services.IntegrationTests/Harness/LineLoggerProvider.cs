using Microsoft.Extensions.Logging;

namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>Routes an in-process host's warnings and errors to a line writer (the test's log), so that a failing test shows
/// what the test double's messaging said.</summary>
public sealed class LineLoggerProvider(Action<string> write, string prefix) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new LineLogger(write, prefix, categoryName);

    public void Dispose()
    {
    }

    sealed class LineLogger(Action<string> write, string prefix, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Warning and not LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (!IsEnabled(logLevel))
                return;
            write($"[{prefix}] {logLevel} {category}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
    }
}
