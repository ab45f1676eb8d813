using ECommerce.Testing.Infrastructure;
using RabbitMQ.Client;
using ECommerce.AppHost.Tests.Suite;
using Xunit.Abstractions;

namespace ECommerce.AppHost.Tests.Launchers;

/// <summary>Kills, restarts and stops a node of its own (the shared one must keep running for its class).</summary>
public sealed class RabbitMqNodeLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SurvivesACrashAndLeavesNothingBehindWhenStopped()
    {
        await using var node = await RabbitMqNode.StartAsync(new RabbitMqNodeOptions { OnOutput = TestOutput.Forward(output, "rabbitmq") });
        var firstVm = node.Pid;
        Assert.Equal("beam.smp", ProcessTree.CommandName(firstVm));
        Assert.Equal("epmd", ProcessTree.CommandName(node.EpmdPid));
        await using (var connection = await Amqp.ConnectAsync(node.AmqpUri))
        {
            await using var channel = await Amqp.ConfirmingChannelAsync(connection);
            await channel.QueueDeclareAsync("durable", durable: true, exclusive: false, autoDelete: false);
            await Amqp.PublishPersistentAsync(channel, string.Empty, "durable", "confirmed before the crash");
        }

        await node.KillAsync();
        Assert.False(node.IsRunning);
        Assert.False(ProcessTree.IsAlive(firstVm));

        await node.RestartAsync();
        Assert.True(ProcessTree.IsAlive(node.Pid));
        await using (var connection = await Amqp.ConnectAsync(node.AmqpUri))
        {
            Assert.Equal("confirmed before the crash", await Amqp.GetAsync(connection, "durable"));
        }

        var processes = ProcessTree.FindByEnvironment("RABBITMQ_NODENAME", node.NodeName);
        Assert.Contains(node.Pid, processes);
        Assert.Contains(node.EpmdPid, processes);
        var directory = node.RootDirectory;

        await node.StopAsync();

        Assert.DoesNotContain(processes, ProcessTree.IsAlive);
        Assert.Empty(ProcessTree.FindByEnvironment("RABBITMQ_NODENAME", node.NodeName));
        Assert.False(Directory.Exists(directory));
        await node.StopAsync(); // idempotent
    }

    [Fact]
    public async Task SaysHowToInstallRabbitMqWhenItIsMissing()
    {
        var error = await Assert.ThrowsAsync<InfrastructureNotInstalledException>(
            () => RabbitMqNode.StartAsync(new RabbitMqNodeOptions { BinDirectory = "/nonexistent/rabbitmq/bin" }));

        Assert.Equal("apt-get install -y rabbitmq-server", error.InstallCommand);
        Assert.Contains("sudo apt-get install -y rabbitmq-server", error.Message, StringComparison.Ordinal);
        Assert.True(RabbitMqNode.IsInstalled);
    }
}
