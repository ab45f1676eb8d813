namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>Names on the in-memory transport, where a failed message lands in its endpoint's error queue.</summary>
public static class InMemoryDeadLetters
{
    public static string ErrorQueue(string queue) => queue + "_error";

    public static Uri QueueAddress(string queue) => new($"queue:{queue}");
}
