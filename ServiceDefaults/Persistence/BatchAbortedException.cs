namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>A record of a batch sharing one transaction (<see cref="MessagingDbContext.BeginBatchAsync"/>) failed: the batch is
/// rolled back and its records are handled again one at a time, each with the endpoint's whole retry and redelivery policy.
/// Never retried in place: the failed attempt's writes are still in the batch's transaction. The failure is
/// <see cref="Cause"/>, deliberately not the inner exception, which the retry policies would inspect and find transient.</summary>
public sealed class BatchAbortedException : Exception
{
    public BatchAbortedException()
    {
    }

    public BatchAbortedException(string message)
        : base(message)
    {
    }

    public BatchAbortedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The batch is abandoned because of <paramref name="cause"/>.</summary>
    public BatchAbortedException(Exception cause)
        : base($"The batch's transaction is abandoned: {cause?.GetType().Name}: {cause?.Message}") =>
        Cause = cause;

    /// <summary>What failed.</summary>
    public Exception? Cause { get; }
}
