namespace ECommerce.AppHost.Telemetry;

/// <summary>The levels logs are shown and filtered by, lowest first (the names of .NET's LogLevel).</summary>
public enum LogLevelName
{
    Trace,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
}
