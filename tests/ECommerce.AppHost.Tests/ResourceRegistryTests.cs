using ECommerce.AppHost.Hosting;

namespace ECommerce.AppHost.Tests;

public sealed class ResourceRegistryTests
{
    [Fact]
    public void PublishesEveryChangeInOrderWithTheSnapshotBeforeAndAfter()
    {
        var registry = new ResourceRegistry();
        var changes = new List<(ResourceState From, ResourceState To)>();
        registry.ResourceChanged += (_, e) => changes.Add((e.Previous.State, e.Current.State));

        registry.Add(new ResourceSnapshot { Name = "order", ResourceType = "Project" });
        registry.Update("order", s => s with { State = ResourceState.Starting });
        registry.Update("order", s => s with { State = ResourceState.Running, Pid = 42 });
        registry.Update("order", s => s); // no change, no event

        Assert.Equal(
            [(ResourceState.NotStarted, ResourceState.NotStarted), (ResourceState.NotStarted, ResourceState.Starting), (ResourceState.Starting, ResourceState.Running)],
            changes);
        Assert.Equal(42, registry.GetSnapshot("order")?.Pid);
        Assert.Null(registry.GetSnapshot("missing"));
        Assert.Throws<InvalidOperationException>(() => registry.Add(new ResourceSnapshot { Name = "order", ResourceType = "Project" }));
    }

    [Fact]
    public void KeepsTheLastLinesOfEachResourceWithGrowingSequenceNumbers()
    {
        var registry = new ResourceRegistry(logCapacity: 3);
        registry.Add(new ResourceSnapshot { Name = "coupon", ResourceType = "Project" });
        registry.Add(new ResourceSnapshot { Name = "balance", ResourceType = "Project" });
        for (var i = 1; i <= 5; i++)
        {
            registry.AppendLog("coupon", $"line {i}", isErrorStream: i == 5);
        }

        registry.AppendLog("balance", "other", isErrorStream: false);

        var lines = registry.GetLogs("coupon");
        Assert.Equal(["line 3", "line 4", "line 5"], lines.Select(l => l.Text));
        Assert.Equal([3L, 4L, 5L], lines.Select(l => l.Sequence));
        Assert.True(lines[^1].IsErrorStream);
        Assert.Equal(["line 5"], registry.GetLogs("coupon", afterSequence: 4).Select(l => l.Text));
        Assert.Equal(1, registry.GetLogs("balance").Single().Sequence);
    }

    [Fact]
    public async Task WaitsForASnapshotThatSatisfiesACondition()
    {
        var registry = new ResourceRegistry();
        registry.Add(new ResourceSnapshot { Name = "messaging", ResourceType = "RabbitMQ" });

        var healthy = registry.WaitForAsync("messaging", s => s.State == ResourceState.Healthy);
        Assert.False(healthy.IsCompleted);
        registry.Update("messaging", s => s with { State = ResourceState.Running });
        Assert.False(healthy.IsCompleted);
        registry.Update("messaging", s => s with { State = ResourceState.Healthy });

        Assert.Equal(ResourceState.Healthy, (await healthy.WaitAsync(TimeSpan.FromSeconds(10))).State);
        var already = await registry.WaitForAsync("messaging", s => s.State == ResourceState.Healthy);
        Assert.Equal(ResourceState.Healthy, already.State);
    }
}
