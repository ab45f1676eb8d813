using MassTransit;
using MassTransit.DependencyInjection.Testing;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ECommerce.Component.Tests.Infrastructure;

/// <summary>Attaches MassTransit's <see cref="ITestHarness"/> to a bus that the application configured itself.
/// <c>AddMassTransitTestHarness</c> cannot be used for that: when a bus is already registered it removes the registration
/// (<c>RemoveMassTransit</c>) and re-adds a default in-memory bus with <c>ConfigureEndpoints</c>, so the tests would observe
/// MassTransit's defaults instead of the topology, retry and dead-letter pipeline that ServiceDefaults builds. The harness
/// itself is only a bus observer plus message lists; registering those pieces leaves the bus exactly as the service made it.
/// Also connects <see cref="MessageTap"/>, which counts what the harness's per-message-id lists cannot.</summary>
public static class TestHarnessRegistration
{
    public static IServiceCollection AddObservingTestHarness(this IServiceCollection services)
    {
        services.AddOptions<TestHarnessOptions>();
        services.AddBusObserver<ContainerTestHarnessBusObserver>();
        services.TryAddSingleton<ContainerTestHarness>();
        services.TryAddSingleton<ITestHarness>(sp => sp.GetRequiredService<ContainerTestHarness>());

        services.TryAddSingleton<MessageTap>();
        services.AddSendObserver(sp => sp.GetRequiredService<MessageTap>());
        services.AddConsumeObserver(sp => sp.GetRequiredService<MessageTap>());
        return services;
    }
}
