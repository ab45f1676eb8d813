namespace ECommerce.ServiceDefaults.Persistence;

/// <summary>A <see cref="GroupCommitWriter{TItem,TResult}"/> refused an item because the service is stopping; nothing of it
/// was written, so the caller may retry (against another instance, or this one once it is back). Answered as a 503.</summary>
public sealed class WriterStoppedException : Exception
{
    public WriterStoppedException()
        : this("The service is stopping; nothing was written.")
    {
    }

    public WriterStoppedException(string message)
        : base(message)
    {
    }

    public WriterStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
