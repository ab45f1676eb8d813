using System.Text;
using System.Text.Json;
using ECommerce.ServiceDefaults.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>Runs on an <c>_error</c> queue: stores each faulted message, with the exception MassTransit recorded in its
/// headers, in the service's database, and only then lets the broker forget it.</summary>
internal sealed class DeadLetterRecordFilter<TContext>(IServiceScopeFactory scopes, string sourceQueue) : IFilter<TContext>
    where TContext : class, ReceiveContext
{
    public async Task Send(TContext context, IPipe<TContext> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.TransportHeaders.GetAll().ToDictionary(h => h.Key, h => h.Value?.ToString(), StringComparer.Ordinal);
        // Decoded from the bytes: on a body held as memory (a ReadOnlyMemory body) MessageBody.GetString() returns the name of
        // the memory type, "System.ReadOnlyMemory<Byte>[n]", not the text, which would leave a letter that can never be re-driven.
        var body = Encoding.UTF8.GetString(context.Body.GetBytes());
        var (messageId, messageType) = ReadEnvelope(body);

        var letter = new DeadLetter
        {
            Id = RowId.New(),
            Queue = QueueOf(headers) ?? sourceQueue,
            MessageId = messageId ?? (Guid.TryParse(headers.GetValueOrDefault(MessageHeaders.MessageId), out var id) ? id : null),
            MessageType = messageType,
            Exception = ExceptionOf(headers),
            FaultedAt = DateTimeOffset.TryParse(headers.GetValueOrDefault(MessageHeaders.FaultTimestamp), out var at) ? at.ToUniversalTime() : DateTimeOffset.UtcNow,
            Payload = body,
            Headers = JsonSerializer.Serialize(headers),
            ContentType = context.ContentType?.ToString(),
        };

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        db.DeadLetters.Add(letter);
        await db.SaveChangesAsync(context.CancellationToken).ConfigureAwait(false);
        MessagingDiagnostics.DeadLettersRecorded.Add(1);
    }

    public void Probe(ProbeContext context) => context?.CreateFilterScope("deadLetterRecorder");

    static string? QueueOf(Dictionary<string, string?> headers)
    {
        if (!Uri.TryCreate(headers.GetValueOrDefault(MessageHeaders.FaultInputAddress), UriKind.Absolute, out var input))
            return null;
        var path = input.AbsolutePath.TrimEnd('/');
        return path[(path.LastIndexOf('/') + 1)..] is { Length: > 0 } name ? name : null;
    }

    static string? ExceptionOf(Dictionary<string, string?> headers)
    {
        var type = headers.GetValueOrDefault(MessageHeaders.FaultExceptionType);
        var message = headers.GetValueOrDefault(MessageHeaders.FaultMessage);
        var stack = headers.GetValueOrDefault(MessageHeaders.FaultStackTrace);
        var reason = headers.GetValueOrDefault(MessageHeaders.Reason);
        if (type is null && message is null)
            return reason;
        return $"{type}: {message}{(stack is null ? string.Empty : Environment.NewLine + stack)}";
    }

    static (Guid? MessageId, string? MessageType) ReadEnvelope(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            Guid? messageId = root.TryGetProperty("messageId", out var idElement) && idElement.TryGetGuid(out var id) ? id : null;
            string? messageType = root.TryGetProperty("messageType", out var types) && types.ValueKind == JsonValueKind.Array
                && types.GetArrayLength() > 0 ? types[0].GetString() : null;
            return (messageId, messageType);
        }
        catch (JsonException)
        {
            // A body that is not even JSON is still kept, verbatim, for the operator.
            return (null, null);
        }
    }
}
