using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ECommerce.AppHost.Suite;
using ECommerce.ServiceDefaults.Messaging.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.AppHost.Resources;

public static class RabbitMqBuilderExtensions
{
    const string Plugins = "[rabbitmq_consistent_hash_exchange,rabbitmq_stream,rabbitmq_management].";

    /// <summary>The broker: <see cref="SuiteSettings.RabbitMqNodes"/> RabbitMQ nodes as executables (the second and third join
    /// the first as one cluster), or the broker <c>ConnectionStrings:messaging</c> names. Either way the topology is
    /// provisioned once the broker answers, before anything that waits for it starts.</summary>
    public static IResourceBuilder<MessagingResource> AddMessaging(this IDistributedApplicationBuilder builder, string name, SuiteSettings suite)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(suite);
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 } existing)
            return builder.AddMessagingResource(new MessagingResource(name, existing), [], suite);

        if (!File.Exists(Path.Combine(RabbitMqNodeResource.BinDirectory, "rabbitmq-server")))
            throw new InvalidOperationException($"RabbitMQ is not installed ({RabbitMqNodeResource.BinDirectory}/rabbitmq-server is missing): apt-get install -y rabbitmq-server, or run eng/run.sh, which installs it.");

        var account = ServiceAccount.For("rabbitmq");
        var root = Path.Combine(suite.ResolveDataDirectory(), "rabbitmq");
        var portMapperPort = suite.PortOf(SuitePorts.BrokerPortMapper);
        var portMapper = builder.AddExecutable($"{name}-epmd", account.Command("epmd"), root,
                [.. account.Prefix("epmd"), "-port", Invariant(portMapperPort), "-address", "127.0.0.1"])
            .WithHealthCheck(builder, new PortMapperHealthCheck(portMapperPort))
            .OnBeforeResourceStarted((_, _, ct) => PrepareDirectoryAsync(root, account, ct))
            .ExcludeFromManifest();

        var nodes = new List<RabbitMqNodeResource>();
        for (var i = 1; i <= suite.RabbitMqNodes; i++)
        {
            var server = Path.Combine(RabbitMqNodeResource.BinDirectory, "rabbitmq-server");
            var node = new RabbitMqNodeResource($"{name}-{i}", account.Command(server), Path.Combine(root, $"node-{i}"), i,
                suite.PortOf(SuitePorts.BrokerNode(i)), portMapperPort);
            var resource = builder.AddResource(node)
                .WithArgs([.. account.Prefix(server)])
                .WithHealthCheck(builder, new TcpPortsHealthCheck(node.AmqpPort, node.ManagementPort, node.StreamPort))
                .WithUrl(node.ManagementUri.ToString(), "Management")
                .WaitFor(portMapper)
                .OnBeforeResourceStarted((n, _, ct) => PrepareNodeAsync(n, account, ct))
                .ExcludeFromManifest();
            foreach (var (key, value) in node.Environment)
                resource.WithEnvironment(key, value);
            nodes.Add(node);
        }

        var connectionString = string.Join(',', nodes.Select(n => n.AmqpUri.ToString()));
        var messaging = builder.AddMessagingResource(new MessagingResource(name, connectionString), nodes, suite);
        portMapper.WithParentRelationship(messaging);
        foreach (var node in nodes)
            builder.CreateResourceBuilder(node).WithParentRelationship(messaging);
        return messaging;
    }

    static IResourceBuilder<MessagingResource> AddMessagingResource(this IDistributedApplicationBuilder builder, MessagingResource resource,
        IReadOnlyList<RabbitMqNodeResource> nodes, SuiteSettings suite)
    {
        var healthCheck = $"{resource.Name}-provisioned";
        builder.Services.AddHealthChecks().AddCheck(healthCheck, () => resource.IsProvisioned
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The topology is not provisioned yet."));
        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RabbitMQ",
                State = KnownResourceStates.NotStarted,
                Properties = [new("nodes", nodes.Count == 0 ? "existing broker" : Invariant(nodes.Count))],
            })
            .WithHealthCheck(healthCheck)
            .WithIconName("BranchFork")
            .ExcludeFromManifest()
            .OnInitializeResource((messaging, e, ct) =>
            {
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                _ = Task.Run(() => BringUpAsync(messaging, nodes, suite, e, stopping), stopping);
                return Task.CompletedTask;
            });
    }

    /// <summary>Waits for every node, forms the cluster, provisions the topology, then reports the broker running.</summary>
    static async Task BringUpAsync(MessagingResource messaging, IReadOnlyList<RabbitMqNodeResource> nodes, SuiteSettings suite,
        InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        var log = e.Logger;
        try
        {
            await e.Notifications.PublishUpdateAsync(messaging, s => s with { State = KnownResourceStates.Starting }).ConfigureAwait(false);
            foreach (var node in nodes)
                await e.Notifications.WaitForResourceHealthyAsync(node.Name, cancellationToken).ConfigureAwait(false);
            if (nodes.Count > 1)
                await FormClusterAsync(nodes, log, cancellationToken).ConfigureAwait(false);

            var first = nodes.Count > 0 ? nodes[0].AmqpUri : new Uri(messaging.ConnectionString.Split(',')[0]);
            await TopologyProvisioner.ProvisionAsync(first, suite.Messaging, cancellationToken).ConfigureAwait(false);
            log.LogInformation("Topology provisioned on {Broker} ({Partitions} partitions per keyed topic, {QueueType} queues)",
                first.GetLeftPart(UriPartial.Authority), suite.Messaging.DefaultPartitions, suite.Messaging.QueueType);
            messaging.IsProvisioned = true;
            await e.Notifications.PublishUpdateAsync(messaging, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The AppHost stops.
        }
#pragma warning disable CA1031 // Whatever went wrong is shown on the resource; the services keep waiting for it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            log.LogError(ex, "The broker could not be brought up");
            await e.Notifications.PublishUpdateAsync(messaging, s => s with { State = KnownResourceStates.FailedToStart }).ConfigureAwait(false);
        }
    }

    /// <summary>The second and later nodes join the first, one at a time (join_cluster resets the joining node, and two
    /// resets against one cluster at once can clash); a node restarted with its data is a member already.</summary>
    static async Task FormClusterAsync(IReadOnlyList<RabbitMqNodeResource> nodes, ILogger log, CancellationToken cancellationToken)
    {
        var first = nodes[0];
        var account = ServiceAccount.For("rabbitmq");
        var ctl = Path.Combine(RabbitMqNodeResource.BinDirectory, "rabbitmqctl");
        var expected = nodes.Select(n => n.NodeName).Order(StringComparer.Ordinal).ToList();
        if (await RunningMembersAsync(first, cancellationToken).ConfigureAwait(false) is { } members && members.SequenceEqual(expected))
            return;
        foreach (var node in nodes.Skip(1))
        {
            log.LogInformation("{Node} joins the cluster of {First}", node.NodeName, first.NodeName);
            foreach (var arguments in new[] { new[] { "stop_app" }, ["join_cluster", first.NodeName], ["start_app"] })
                await account.RunAsync(ctl, ["-n", node.NodeName, .. arguments], node.Directory, node.Environment, cancellationToken).ConfigureAwait(false);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await RunningMembersAsync(first, cancellationToken).ConfigureAwait(false))?.SequenceEqual(expected) != true)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The cluster of {string.Join(", ", expected)} did not form within 60 s.");
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }

        log.LogInformation("Cluster formed: {Nodes}", string.Join(", ", expected));
    }

    static async Task<List<string>?> RunningMembersAsync(RabbitMqNodeResource node, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = node.ManagementUri, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        try
        {
            var members = await client.GetFromJsonAsync<List<NodeStatus>>("api/nodes?columns=name,running", cancellationToken).ConfigureAwait(false);
            return members?.Where(m => m.Running).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    static async Task PrepareDirectoryAsync(string directory, ServiceAccount account, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await account.TakeOwnershipAsync(directory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the node's configuration (listeners on 127.0.0.1, plugins) and, the first time, its Erlang cookie; the
    /// node's database stays from run to run, as a server's disk would.</summary>
    static async Task PrepareNodeAsync(RabbitMqNodeResource node, ServiceAccount account, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(node.Directory);
        var configuration = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"listeners.tcp.1 = 127.0.0.1:{node.AmqpPort}")
            .AppendLine("management.tcp.ip = 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"management.tcp.port = {node.ManagementPort}")
            // Start-up and shutdown narrate hundreds of info lines; the console shows what needs attention.
            .AppendLine("log.console.level = warning")
            // Queue depths and consumer counts (consumer lag) refresh every second instead of every five.
            .AppendLine("collect_statistics_interval = 1000")
            .AppendLine(CultureInfo.InvariantCulture, $"stream.listeners.tcp.1 = 127.0.0.1:{node.StreamPort}")
            .AppendLine("stream.advertised_host = 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"stream.advertised_port = {node.StreamPort}")
            .ToString();
        await File.WriteAllTextAsync(Path.Combine(node.Directory, "rabbitmq.conf"), configuration, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(node.Directory, "enabled_plugins"), Plugins + "\n", cancellationToken).ConfigureAwait(false);

        // One cookie for all nodes of the suite (they must share it to cluster), and nobody else's.
        var cookie = Path.Combine(node.Directory, ".erlang.cookie");
        var shared = Path.Combine(Path.GetDirectoryName(node.Directory)!, "cookie");
        if (!File.Exists(shared))
            await File.WriteAllTextAsync(shared, Guid.NewGuid().ToString("N").ToUpperInvariant(), cancellationToken).ConfigureAwait(false);
        if (File.Exists(cookie))
            File.Delete(cookie);
        File.Copy(shared, cookie);
        await account.TakeOwnershipAsync(node.Directory, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
    }

    static IResourceBuilder<T> WithHealthCheck<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, IHealthCheck check)
        where T : IResource
    {
        var key = $"{resource.Resource.Name}-{check.GetType().Name}";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, check, null, null));
        return resource.WithHealthCheck(key);
    }

    static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    sealed record NodeStatus(string Name, bool Running);
}
