using ECommerce.Component.Tests.Infrastructure;
using ECommerce.ServiceDefaults.Messaging;
using ECommerce.ServiceDefaults.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Outcome = (System.Collections.Generic.List<ECommerce.ServiceDefaults.Messaging.Outbox.OutboxMessage> Sent,
    System.Collections.Generic.List<(ECommerce.ServiceDefaults.Messaging.Outbox.OutboxMessage Row, System.Exception Error)> Failed);

namespace ECommerce.Component.Tests.Messaging;

/// <summary>The relay on a broker transport hands the next batch over while the broker still confirms the previous one:
/// batches leave in sequence order, a row in flight or being deleted is never handed over again, a failed row is handed over
/// again once its batch is confirmed, and every confirmed row is deleted.</summary>
public sealed class OutboxPipelineTests
{
    [Fact]
    public async Task The_next_batch_is_handed_over_before_the_previous_is_confirmed_and_no_row_twice_while_in_flight()
    {
        using var host = await SqliteHost<ComponentDbContext>.StartAsync("pipeline");
        var settings = new MessagingOptions { OutboxBatchSize = 10 };
        var broker = new HeldPublisher();
        var relay = host.BatchRelay(settings, broker);
        await host.AddOutboxRowsAsync(25);
        var sequences = await SequencesAsync(host);

        Assert.Equal(10, await relay.PublishBatchAsync(settings, CancellationToken.None));
        Assert.Equal(sequences[..10], broker.HandedOver);

        // The second batch is handed over at once; the pass then waits for the first batch's confirmation.
        var second = relay.PublishBatchAsync(settings, CancellationToken.None);
        Assert.Equal(sequences[..20], await Eventually.UntilAsync(() => broker.HandedOver, h => h.Count >= 20, "the second batch handed over"));
        Assert.False(second.IsCompleted);
        broker.Confirm(0, failing: sequences[2]);
        Assert.Equal(10, await second);

        // Left out: the first batch's confirmed rows (being deleted) and the second batch (in flight); the failed row is back.
        var third = relay.PublishBatchAsync(settings, CancellationToken.None);
        Assert.Equal([.. sequences[..20], sequences[2], .. sequences[20..]],
            await Eventually.UntilAsync(() => broker.HandedOver, h => h.Count >= 26, "the third batch handed over"));
        Assert.False(third.IsCompleted);
        broker.Confirm(1);
        Assert.Equal(6, await third);

        broker.Confirm(2);
        await relay.SettleAsync(CancellationToken.None);
        Assert.Empty(await SequencesAsync(host));
    }

    static async Task<List<long>> SequencesAsync(SqliteHost<ComponentDbContext> host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ComponentDbContext>().OutboxMessages
            .OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync();
    }

    /// <summary>Takes every batch at once and confirms it only when the test says so.</summary>
    sealed class HeldPublisher : IOutboxBatchPublisher
    {
        readonly List<(IReadOnlyList<OutboxMessage> Rows, TaskCompletionSource<Outcome> Confirmation)> _batches = [];
        readonly List<long> _handedOver = [];

        /// <summary>Every row handed over so far, in the order handed over.</summary>
        public List<long> HandedOver
        {
            get
            {
                lock (_batches)
                    return [.. _handedOver];
            }
        }

        public Task WaitReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<(List<OutboxMessage> Sent, List<(OutboxMessage Row, Exception Error)> Failed)> Publish(
            IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
        {
            var confirmation = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_batches)
            {
                _handedOver.AddRange(rows.Select(r => r.Sequence));
                _batches.Add((rows, confirmation));
            }

            return confirmation.Task;
        }

        public void Confirm(int batch, long? failing = null)
        {
            IReadOnlyList<OutboxMessage> rows;
            TaskCompletionSource<Outcome> confirmation;
            lock (_batches)
                (rows, confirmation) = _batches[batch];
            confirmation.SetResult(([.. rows.Where(r => r.Sequence != failing)],
                [.. rows.Where(r => r.Sequence == failing).Select(r => (r, (Exception)new InvalidOperationException("refused")))]));
        }
    }
}
