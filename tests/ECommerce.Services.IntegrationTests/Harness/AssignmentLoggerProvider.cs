using Microsoft.Extensions.Logging;

namespace ECommerce.Services.IntegrationTests.Harness;

/// <summary>Feeds an in-process host's group-consumer log lines (its assignment reports, at Information) to
/// <see cref="GroupAssignments"/>, as a child process's console output feeds its own.</summary>
public sealed class AssignmentLoggerProvider(GroupAssignments assignments) : ILoggerProvider
{
    const string Category = "ECommerce.ServiceDefaults.Messaging.Kafka.KafkaGroupConsumer";

    public ILogger CreateLogger(string categoryName) => new AssignmentLogger(assignments, categoryName == Category);

    public void Dispose()
    {
    }

    sealed class AssignmentLogger(GroupAssignments assignments, bool relevant) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => relevant && logLevel == LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
                assignments.Observe(formatter(state, exception));
        }
    }
}
