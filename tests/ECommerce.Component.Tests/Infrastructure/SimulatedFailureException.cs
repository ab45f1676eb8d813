namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>A failure the tests inject; its own type so the dead-letter record can be checked for it by name.</summary>
public sealed class SimulatedFailureException : Exception
{
    public SimulatedFailureException()
    {
    }

    public SimulatedFailureException(string message)
        : base(message)
    {
    }

    public SimulatedFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
