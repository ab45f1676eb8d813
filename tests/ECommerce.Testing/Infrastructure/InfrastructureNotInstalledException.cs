namespace ECommerce.Testing.Infrastructure;

/// <summary>A server the suite needs (Kafka's Java, PostgreSQL) is not installed on this machine. The message says how to
/// install it; <see cref="InstallCommand"/> is the command alone.</summary>
public sealed class InfrastructureNotInstalledException(string product, string expectedPath, string installCommand)
    : Exception($"{product} is not installed (looked for {expectedPath}). Install it with: sudo {installCommand}")
{
    public string Product { get; } = product;

    /// <summary>The Debian/Ubuntu command that installs it, without sudo.</summary>
    public string InstallCommand { get; } = installCommand;
}
