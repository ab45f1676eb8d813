namespace ECommerce.Testing.Infrastructure;

/// <summary>A server did not start (or restart). The message ends with the last lines it wrote, which usually say why.</summary>
public sealed class InfrastructureStartException(string message, Exception? innerException = null)
    : Exception(message, innerException);
