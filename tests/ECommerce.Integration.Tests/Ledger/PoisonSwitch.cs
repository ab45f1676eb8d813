namespace ECommerce.Integration.Tests.Ledger;

/// <summary>Whether the poison consumer has been "fixed" (a deployment of corrected code), and how often it was tried.</summary>
public sealed class PoisonSwitch
{
    int _attempts;
    volatile bool _fixed;

    public bool Fixed
    {
        get => _fixed;
        set => _fixed = value;
    }

    public int Attempts => Volatile.Read(ref _attempts);

    internal void Attempt() => Interlocked.Increment(ref _attempts);
}
