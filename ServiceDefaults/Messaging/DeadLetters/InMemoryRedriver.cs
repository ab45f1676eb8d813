using MassTransit;

namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>On the in-memory transport a dead letter goes back to the receive endpoint it failed on.</summary>
internal sealed class InMemoryRedriver(IBus bus) : IDeadLetterRedriver
{
    public bool CanRedrive(DeadLetter letter) => true;

    public async Task RedriveAsync(DeadLetter letter, RedriveEnvelope envelope, CancellationToken cancellationToken)
    {
        var endpoint = await bus.GetSendEndpoint(InMemoryDeadLetters.QueueAddress(letter.Queue)).ConfigureAwait(false);
        await endpoint.Send(envelope.Message, envelope.Type, Pipe.Execute<SendContext>(context =>
        {
            context.MessageId = envelope.MessageId ?? letter.MessageId;
            context.CorrelationId = envelope.CorrelationId;
            context.ConversationId = envelope.ConversationId;
            foreach (var (key, value) in envelope.Headers)
                context.Headers.Set(key, value);
        }), cancellationToken).ConfigureAwait(false);
    }
}
