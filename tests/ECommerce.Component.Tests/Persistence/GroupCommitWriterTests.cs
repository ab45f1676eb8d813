using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace ECommerce.Component.Tests.Persistence;

/// <summary>Group commit: what gathers while a transaction commits goes into the next one, in arrival order and at most
/// MaxBatch at a time; a unique-key conflict fails only the conflicting item; any other failure fails its whole batch; and
/// nothing queued at shutdown is left unanswered.</summary>
public sealed class GroupCommitWriterTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WhatArrivesDuringACommitIsCommittedNextInArrivalOrderAtMostMaxBatchAtATime()
    {
        await using var writer = new RecordingWriter(maxBatch: 4);
        var first = await writer.StartWithACommitHeldAsync();
        var rest = Enumerable.Range(1, 9).Select(writer.WriteAsync).ToList();
        writer.ReleaseCommits();

        Assert.Equal(0, await first.WaitAsync(Patience));
        Assert.Equal(Enumerable.Range(1, 9), await Task.WhenAll(rest).WaitAsync(Patience));
        Assert.Equal([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]], writer.Batches);
    }

    [Fact]
    public async Task AUniqueKeyConflictFailsOnlyTheConflictingItem()
    {
        await using var writer = new RecordingWriter(maxBatch: 100) { Conflicting = 3 };
        var first = await writer.StartWithACommitHeldAsync();
        var rest = Enumerable.Range(1, 5).Select(writer.WriteAsync).ToList();
        writer.ReleaseCommits();

        await first.WaitAsync(Patience);
        await Assert.ThrowsAsync<DbUpdateException>(() => rest[2].WaitAsync(Patience));
        foreach (var item in new[] { 1, 2, 4, 5 })
            Assert.Equal(item, await rest[item - 1].WaitAsync(Patience));
        // The batch of five failed as a whole, then each was written alone.
        Assert.Equal([[0], [1], [2], [4], [5]], writer.Batches);
    }

    [Fact]
    public async Task AnyOtherFailureFailsTheWholeBatchAndTheWriterGoesOn()
    {
        await using var writer = new RecordingWriter(maxBatch: 100) { Broken = 2 };
        var first = await writer.StartWithACommitHeldAsync();
        var failing = Enumerable.Range(1, 3).Select(writer.WriteAsync).ToList();
        writer.ReleaseCommits();

        await first.WaitAsync(Patience);
        foreach (var item in failing)
            await Assert.ThrowsAsync<TimeoutException>(() => item.WaitAsync(Patience));
        Assert.Equal(7, await writer.WriteAsync(7).WaitAsync(Patience));
        Assert.Equal([[0], [7]], writer.Batches);
    }

    [Fact]
    public async Task WhatIsQueuedAtShutdownIsRefusedNotLeftWaiting()
    {
        await using var writer = new RecordingWriter(maxBatch: 100);
        var first = await writer.StartWithACommitHeldAsync();
        var queued = Enumerable.Range(1, 3).Select(writer.WriteAsync).ToList();

        var stopping = writer.StopAsync(CancellationToken.None);
        writer.ReleaseCommits();
        await stopping.WaitAsync(Patience);

        // The batch being committed is answered; the queued items are refused, and later calls too.
        Assert.Equal(0, await first.WaitAsync(Patience));
        foreach (var item in queued)
            await Assert.ThrowsAsync<WriterStoppedException>(() => item.WaitAsync(Patience));
        Assert.Throws<WriterStoppedException>(() => { _ = writer.WriteAsync(9); });
    }

    /// <summary>Commits by recording each batch; can hold a commit open, and fails the way a test asks.</summary>
    sealed class RecordingWriter(int maxBatch) : GroupCommitWriter<int, int>(NullLogger.Instance), IAsyncDisposable
    {
        readonly List<int[]> _batches = [];
        readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource _commitStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>An item whose batch hits a unique key.</summary>
        public int? Conflicting { get; init; }

        /// <summary>An item whose batch fails otherwise.</summary>
        public int? Broken { get; init; }

        public List<int[]> Batches
        {
            get
            {
                lock (_batches)
                    return [.. _batches];
            }
        }

        protected override int MaxBatch => maxBatch;

        public Task<int> WriteAsync(int item) => EnqueueAsync(item, CancellationToken.None);

        /// <summary>Starts the writer with item 0's commit held open until <see cref="ReleaseCommits"/>; returns item 0's
        /// answer.</summary>
        public async Task<Task<int>> StartWithACommitHeldAsync()
        {
            await StartAsync(CancellationToken.None);
            var first = WriteAsync(0);
            await _commitStarted.Task.WaitAsync(Patience);
            return first;
        }

        public void ReleaseCommits() => _release.TrySetResult();

        // Not cancellable on purpose: the batch in hand is finished even while the writer stops.
        protected override async Task<IReadOnlyList<int>> CommitAsync(IReadOnlyList<Queued> batch, CancellationToken cancellationToken)
        {
            _commitStarted.TrySetResult();
            await _release.Task.ConfigureAwait(false);
            var items = batch.Select(q => q.Item).ToArray();
            if (Conflicting is { } conflict && items.Contains(conflict))
                throw new DbUpdateException("unique key");
            if (Broken is { } broken && items.Contains(broken))
                throw new TimeoutException("database timeout");
            lock (_batches)
                _batches.Add(items);
            return items;
        }

        public async ValueTask DisposeAsync()
        {
            ReleaseCommits();
            await StopAsync(CancellationToken.None);
            Dispose();
        }
    }
}
