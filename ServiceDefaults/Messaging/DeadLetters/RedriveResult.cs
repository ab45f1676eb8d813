namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

public enum RedriveResult
{
    Redriven,
    NotFound,

    /// <summary>The stored body is not a message of a known contract (it failed because it could not be read); it can only be
    /// discarded.</summary>
    Unreadable,
}
