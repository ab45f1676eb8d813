using Microsoft.Extensions.Logging;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Routes an in-process host's logs to the test output, so a failing test shows what the platform said.</summary>
public sealed class OutputLoggerProvider(OutputLog log, string prefix) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new OutputLogger(log, prefix, categoryName);

    public void Dispose()
    {
    }

    sealed class OutputLogger(OutputLog log, string prefix, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var text = $"[{prefix}] {logLevel} {category}: {formatter(state, exception)}";
            if (exception is not null)
                text += Environment.NewLine + exception;
            log.Write(text);
        }
    }
}
