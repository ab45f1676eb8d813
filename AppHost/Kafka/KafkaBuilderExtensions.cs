using System.Globalization;
using Confluent.Kafka;
using ECommerce.AppHost.Resources;
using ECommerce.AppHost.Suite;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ECommerce.AppHost.Kafka;

public static class KafkaBuilderExtensions
{
    /// <summary>The broker: <see cref="SuiteSettings.KafkaNodes"/> Kafka nodes as executables forming one KRaft cluster, or
    /// the cluster <c>ConnectionStrings:messaging</c> names (bootstrap servers). Either way every topic of the suite is
    /// created (partitions, retention, replication) once the brokers answer, before anything that waits for it starts.</summary>
    public static IResourceBuilder<MessagingResource> AddKafka(this IDistributedApplicationBuilder builder, string name, SuiteSettings suite)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(suite);
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 } existing)
            return builder.AddMessagingResource(new MessagingResource(name, existing), [], suite);

        var kafkaHome = KafkaHome.Resolve(builder.Configuration[KafkaHome.Variable]);
        var root = Path.Combine(suite.ResolveDataDirectory(), "kafka");
        var voters = Enumerable.Range(1, suite.KafkaNodes)
            .Select(i => (Id: i, ControllerPort: suite.PortOf(SuitePorts.BrokerNode(i)) + 1)).ToList();
        // One read-or-create of the cluster's id for all nodes: they start at once, and a node formatted with an id of its own
        // (two nodes each finding no id file and each writing one) refuses to join the others.
        var clusterId = new Lazy<Task<string>>(() => ReadOrCreateClusterIdAsync(root), LazyThreadSafetyMode.ExecutionAndPublication);
        var nodes = new List<KafkaNodeResource>();
        foreach (var (id, controllerPort) in voters)
        {
            var layout = new KafkaNodeLayout(Path.Combine(root, $"node-{id}"), id, suite.PortOf(SuitePorts.BrokerNode(id)), controllerPort, voters);
            var node = new KafkaNodeResource($"{name}-{id}", layout, kafkaHome);
            // A first start formats the node's storage in a JVM of its own. Begun now, it runs while the AppHost and Aspire's
            // orchestrator start (about 4 s in which the cores are not both busy) instead of when the node's turn comes.
            var early = builder.ExecutionContext.IsRunMode && !layout.IsFormatted
                ? Task.Run(() => PrepareNodeAsync(node, clusterId, CancellationToken.None))
                : null;
            var metadata = $"{node.Name}-answers-metadata";
            builder.Services.AddHealthChecks().AddAsyncCheck(metadata,
                ct => Task.Run(() => AnswersMetadata(layout.BootstrapServer, ReadinessChecks.Patience), ct));
            builder.AddResource(node)
                .WithArgs([.. layout.RunArguments(kafkaHome)])
                .WithHealthCheck(metadata)
                .WithIconName("Server")
                .OnBeforeResourceStarted(async (n, _, ct) =>
                {
                    if (Interlocked.Exchange(ref early, null) is { } formatting)
                    {
                        try
                        {
                            await formatting.WaitAsync(ct).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            // Formatted again below, where a failure is the node's failure to start.
                        }
                    }

                    await PrepareNodeAsync(n, clusterId, ct).ConfigureAwait(false);
                })
                .ExcludeFromManifest();
            nodes.Add(node);
        }

        var connectionString = string.Join(',', nodes.Select(n => n.Layout.BootstrapServer));
        var messaging = builder.AddMessagingResource(new MessagingResource(name, connectionString), nodes, suite);
        foreach (var node in nodes)
            builder.CreateResourceBuilder(node).WithParentRelationship(messaging);
        return messaging;
    }

    static IResourceBuilder<MessagingResource> AddMessagingResource(this IDistributedApplicationBuilder builder, MessagingResource resource,
        IReadOnlyList<KafkaNodeResource> nodes, SuiteSettings suite)
    {
        var provisioned = $"{resource.Name}-topics-created";
        builder.Services.AddHealthChecks().AddCheck(provisioned, () => resource.IsProvisioned
            ? AnswersMetadata(resource.ConnectionString, TimeSpan.FromSeconds(2))
            : HealthCheckResult.Unhealthy("The topics are not created yet."));
        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Kafka",
                State = KnownResourceStates.NotStarted,
                Properties = [new("brokers", nodes.Count == 0 ? "existing cluster" : string.Join(", ", nodes.Select(n => n.Layout.BootstrapServer)))],
            })
            .WithHealthCheck(provisioned)
            .WithIconName("BranchFork")
            .ExcludeFromManifest()
            .OnInitializeResource((messaging, e, ct) =>
            {
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                _ = Task.Run(() => BringUpAsync(messaging, nodes, suite, e, stopping), stopping);
                return Task.CompletedTask;
            });
    }

    /// <summary>Waits for every node, creates the topics, then reports the broker running.</summary>
    static async Task BringUpAsync(MessagingResource messaging, IReadOnlyList<KafkaNodeResource> nodes, SuiteSettings suite,
        InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        try
        {
            await e.Notifications.PublishUpdateAsync(messaging, s => s with { State = KnownResourceStates.Starting }).ConfigureAwait(false);
            foreach (var node in nodes)
                await e.Notifications.WaitForResourceHealthyAsync(node.Name, cancellationToken).ConfigureAwait(false);
            var created = await KafkaTopics.EnsureAsync(messaging.ConnectionString, suite.Messaging, cancellationToken).ConfigureAwait(false);
            e.Logger.LogInformation("Topics ready on {Brokers} (replication factor {Replication}); created: {Created}",
                messaging.ConnectionString, KafkaTopics.ReplicationFactorFor(Math.Max(1, nodes.Count)), created.Count == 0 ? "none" : string.Join(", ", created));
            messaging.IsProvisioned = true;
            await e.Notifications.PublishUpdateAsync(messaging, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow })
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The AppHost stops.
        }
#pragma warning disable CA1031 // Whatever went wrong is shown on the resource; the services keep waiting for it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            e.Logger.LogError(ex, "The topics could not be created");
            await e.Notifications.PublishUpdateAsync(messaging, s => s with { State = KnownResourceStates.FailedToStart }).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the node's configuration and, on its first start, formats its storage with the cluster's id.</summary>
    static async Task PrepareNodeAsync(KafkaNodeResource node, Lazy<Task<string>> clusterId, CancellationToken cancellationToken)
    {
        await node.Layout.WriteConfigurationAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (node.Layout.IsFormatted)
            return;
        var id = await clusterId.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        await ProcessRunner.RunAsync("java", node.Layout.FormatArguments(node.KafkaHome, id), node.Layout.Directory, null, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The cluster's id, kept in the suite's data directory so that every node and every later run find the same
    /// cluster.</summary>
    static async Task<string> ReadOrCreateClusterIdAsync(string root)
    {
        Directory.CreateDirectory(root);
        var idFile = Path.Combine(root, "cluster-id");
        if (!File.Exists(idFile))
            await File.WriteAllTextAsync(idFile, KafkaNodeLayout.NewClusterId()).ConfigureAwait(false);
        return (await File.ReadAllTextAsync(idFile).ConfigureAwait(false)).Trim();
    }

    /// <summary>Healthy once the broker answers a metadata request: it is then ready to serve. The request waits up to
    /// <paramref name="wait"/> for the answer while the client reconnects every 100 ms to a node that still refuses
    /// connections (rather than after librdkafka's growing backoff), so a starting node is seen the moment it answers.</summary>
    static HealthCheckResult AnswersMetadata(string bootstrapServers, TimeSpan wait)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig
            {
                BootstrapServers = bootstrapServers, SocketTimeoutMs = 2000, ReconnectBackoffMs = 50, ReconnectBackoffMaxMs = 100,
            })
            .SetLogHandler((_, _) => { })
            .Build();
        try
        {
            var metadata = admin.GetMetadata(wait);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"{metadata.Brokers.Count} broker(s)"))
                : HealthCheckResult.Unhealthy("No broker in the metadata yet.");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy($"No metadata from {bootstrapServers} yet: {e.Error.Reason}");
        }
    }
}
