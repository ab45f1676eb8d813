using System.Globalization;
using ECommerce.AppHost.Infrastructure;

namespace ECommerce.AppHost.Hosting.Model;

/// <summary>The message broker: a RabbitMQ node the AppHost starts (<see cref="Node"/>), or an external broker given by
/// URI. Handlers registered with <see cref="OnReady"/> (topology provisioning) run before it counts as started.</summary>
public sealed class RabbitMqResource : AppResource, IResourceWithConnectionString
{
    private readonly List<Func<Uri, CancellationToken, Task>> readyHandlers = [];

    internal RabbitMqResource(string name, Uri? externalUri)
        : base(name)
    {
        ExternalUri = externalUri;
    }

    public override string ResourceType => "RabbitMQ";

    /// <summary>The broker given by configuration; null when the AppHost runs its own node.</summary>
    public Uri? ExternalUri { get; }

    /// <summary>The AppHost's own node once started; null for an external broker.</summary>
    public RabbitMqNode? Node { get; private set; }

    public string ConnectionName => Name;

    public string? ConnectionString => (ExternalUri ?? Node?.AmqpUri)?.ToString();

    /// <summary>Runs <paramref name="handler"/> with the broker's URI each time the broker has started, before resources
    /// waiting for it are released.</summary>
    public RabbitMqResource OnReady(Func<Uri, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        readyHandlers.Add(handler);
        return this;
    }

    internal override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        Uri uri;
        if (ExternalUri is not null)
        {
            uri = ExternalUri;
            await Poll.UntilAsync(async token => await CheckHealthAsync(token).ConfigureAwait(false) is null,
                TimeSpan.FromSeconds(30), "the external broker " + Redacted(uri), cancellationToken).ConfigureAwait(false);
            context.Update(s => s with { Endpoints = [new ResourceEndpoint("amqp", Redacted(uri))] });
        }
        else
        {
            Node = await RabbitMqNode.StartAsync(new RabbitMqNodeOptions { OnOutput = line => context.Log(line) }, cancellationToken)
                .ConfigureAwait(false);
            uri = Node.AmqpUri;
            var node = Node;
            context.Update(s => s with
            {
                Pid = node.Pid,
                Endpoints =
                [
                    new ResourceEndpoint("amqp", node.AmqpUri),
                    new ResourceEndpoint("management", node.ManagementUri),
                    new ResourceEndpoint("stream", new Uri(string.Create(CultureInfo.InvariantCulture, $"rabbitmq-stream://127.0.0.1:{node.StreamPort}/"))),
                ],
            });
        }

        foreach (var handler in readyHandlers)
        {
            await handler(uri, cancellationToken).ConfigureAwait(false);
        }
    }

    internal override async Task<string?> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (ExternalUri is not null)
        {
            return await NetworkProbe.TryConnectAsync(ExternalUri.Host, ExternalUri.IsDefaultPort ? 5672 : ExternalUri.Port,
                cancellationToken).ConfigureAwait(false);
        }

        return Node is { IsRunning: true } node
            ? await NetworkProbe.TryConnectAsync("127.0.0.1", node.AmqpPort, cancellationToken).ConfigureAwait(false)
            : "the node is not running";
    }

    internal override async Task StopAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        if (Node is not null)
        {
            await Node.StopAsync(cancellationToken).ConfigureAwait(false);
            Node = null;
        }
    }

    /// <summary>The URI without its password, for display: an external broker's credentials are not the well-known guest ones.</summary>
    private static Uri Redacted(Uri uri) =>
        string.IsNullOrEmpty(uri.UserInfo) ? uri : new UriBuilder(uri) { Password = string.Empty }.Uri;
}
