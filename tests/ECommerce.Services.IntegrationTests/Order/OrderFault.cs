namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>What breaks half-way through the order saga test.</summary>
public enum OrderFault
{
    /// <summary>The order service is SIGKILLed and started again.</summary>
    KillService,

    /// <summary>The broker (the test's own) is SIGKILLed and restarted; the order service keeps running.</summary>
    CrashBroker,
}
