namespace ECommerce.ServiceDefaults.Messaging.Outbox;

/// <summary>Produces events inside the current unit of work: each becomes an outbox row of the scoped DbContext, committed
/// by the same SaveChanges as the state change, and published by the relay after the commit.</summary>
public interface IOutbox
{
    /// <summary>Adds <paramref name="message"/> to the unit of work and returns its message id.</summary>
    Guid Add<T>(T message) where T : class;
}
