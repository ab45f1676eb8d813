namespace ECommerce.AppHost.Telemetry;

/// <summary>What the OTLP receiver accepted and refused, per signal. Thread-safe.</summary>
internal sealed class ReceiverStats
{
    private readonly long[] accepted = new long[3];
    private readonly long[] rejected = new long[3];

    public void Accepted(OtlpSignal signal) => Interlocked.Increment(ref accepted[(int)signal]);

    public void Rejected(OtlpSignal signal) => Interlocked.Increment(ref rejected[(int)signal]);

    public long AcceptedOf(OtlpSignal signal) => Interlocked.Read(ref accepted[(int)signal]);

    public long RejectedOf(OtlpSignal signal) => Interlocked.Read(ref rejected[(int)signal]);
}
