using System.Reflection;
using Confluent.Kafka;
using ECommerce.ServiceDefaults.Messaging.Kafka;
using Xunit;

namespace ECommerce.Component.Tests.Messaging;

/// <summary>An acknowledgement is proof of a write only with an offset: one without (what a broker answers to a batch it takes
/// for a duplicate) makes the record be produced again, the same record, until the broker names where it is.</summary>
public sealed class KafkaDeliveryTests
{
    static readonly Message<string?, byte[]> Record = new() { Key = "user-7", Value = [1, 2, 3] };

    [Fact]
    public async Task A_record_acknowledged_without_an_offset_is_produced_again_until_one_has_an_offset()
    {
        var producer = ScriptedProducer.Create(Offset.Unset, Offset.Unset, new Offset(41));

        var result = await producer.ProduceConfirmedAsync("balance-activity", Record);

        Assert.Equal(41, result.Offset.Value);
        var calls = ((ScriptedProducer)(object)producer).Calls;
        Assert.Equal(3, calls.Count);
        Assert.All(calls, c => Assert.Same(Record, c));
    }

    [Fact]
    public async Task A_record_acknowledged_at_an_offset_is_produced_once()
    {
        var producer = ScriptedProducer.Create(new Offset(0));

        var result = await producer.ProduceConfirmedAsync(new TopicPartition("balance-activity", 2), Record);

        Assert.Equal(new TopicPartitionOffset("balance-activity", 2, 0), result.TopicPartitionOffset);
        Assert.Single(((ScriptedProducer)(object)producer).Calls);
    }

    /// <summary>A producer whose acknowledgements come from a script, one per produce: the only member the code under test
    /// calls is ProduceAsync; any other call fails the test.</summary>
    public class ScriptedProducer : DispatchProxy
    {
        readonly Queue<Offset> _acknowledgements = new();

        public List<Message<string?, byte[]>> Calls { get; } = [];

        public static IProducer<string?, byte[]> Create(params Offset[] acknowledgements)
        {
            var producer = DispatchProxy.Create<IProducer<string?, byte[]>, ScriptedProducer>();
            foreach (var offset in acknowledgements)
                ((ScriptedProducer)(object)producer)._acknowledgements.Enqueue(offset);
            return producer;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IProducer<string?, byte[]>.ProduceAsync) || args is null)
                throw new NotSupportedException(targetMethod?.Name);
            var message = (Message<string?, byte[]>)args[1]!;
            Calls.Add(message);
            var partition = args[0] as TopicPartition ?? new TopicPartition((string)args[0]!, 0);
            return Task.FromResult(new DeliveryResult<string?, byte[]>
            {
                TopicPartitionOffset = new TopicPartitionOffset(partition, _acknowledgements.Dequeue()),
                Message = message,
                Status = PersistenceStatus.Persisted,
            });
        }
    }
}
