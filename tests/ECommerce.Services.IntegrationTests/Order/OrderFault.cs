namespace ECommerce.Services.IntegrationTests.Order;

/// <summary>What breaks half-way through the order saga test.</summary>
public enum OrderFault
{
    /// <summary>The order service is SIGKILLed and started again.</summary>
    KillService,

    /// <summary>Two order-service instances run; one is SIGKILLed and the other carries on alone.</summary>
    KillOneOfTwo,

    /// <summary>The broker is SIGKILLed and restarted after a 3 s outage; the order service and the doubles reconnect.</summary>
    CrashBroker,
}
