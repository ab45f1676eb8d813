using System.Collections.Concurrent;
using ECommerce.ServiceDefaults.Messaging.Topology;
using MassTransit;

namespace ECommerce.Integration.Tests.Infrastructure;

/// <summary>Hands a test the receive endpoints a host's bus started, by queue name, so that it can break one behind the
/// bus's back.</summary>
public sealed class EndpointCapture : IReceiveEndpointObserver
{
    readonly ConcurrentDictionary<string, IReceiveEndpoint> _endpoints = new(StringComparer.Ordinal);

    public IReceiveEndpoint Of(string queue) => _endpoints[queue];

    public Task Ready(ReceiveEndpointReady ready)
    {
        ArgumentNullException.ThrowIfNull(ready);
        _endpoints[TopologyNames.QueueOf(ready.InputAddress)] = ready.ReceiveEndpoint;
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
