using ECommerce.Testing.Infrastructure;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>One node for a whole test class: a node takes seconds to start.</summary>
public sealed class RabbitMqNodeFixture : IAsyncLifetime
{
    private RabbitMqNode? node;

    public RabbitMqNode Node => node ?? throw new InvalidOperationException("The node has not been started.");

    public async Task InitializeAsync() => node = await RabbitMqNode.StartAsync();

    public async Task DisposeAsync()
    {
        if (node is not null)
        {
            await node.DisposeAsync();
        }
    }
}
