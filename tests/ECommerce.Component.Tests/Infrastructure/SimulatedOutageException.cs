namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>An injected failure of the kind the in-process retry is for: the database or network timing out.</summary>
public sealed class SimulatedOutageException : TimeoutException
{
    public SimulatedOutageException()
    {
    }

    public SimulatedOutageException(string message)
        : base(message)
    {
    }

    public SimulatedOutageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
