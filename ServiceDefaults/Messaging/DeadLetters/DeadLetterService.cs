using System.Text.Json;
using ECommerce.ServiceDefaults.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ECommerce.ServiceDefaults.Messaging.DeadLetters;

/// <summary>The operator's side of the dead-letter store: list, re-drive (back to where its consumer group reads it, with its
/// original message id, so an inbox that did see it still recognises it), discard.</summary>
public sealed class DeadLetterService(MessagingDbContext db, IDeadLetterRedriver redriver)
{
    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int limit, CancellationToken cancellationToken) =>
        await db.DeadLetters.AsNoTracking().OrderBy(x => x.FaultedAt).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);

    public Task<int> CountAsync(CancellationToken cancellationToken) => db.DeadLetters.CountAsync(cancellationToken);

    /// <summary>Re-drives every dead letter that can be read, oldest first; returns how many went back and the ids of the
    /// ones whose body is not a readable message of a known contract (left in place, to be discarded).</summary>
    public async Task<(int Redriven, IReadOnlyList<Guid> Unreadable)> RedriveAllAsync(CancellationToken cancellationToken)
    {
        var ids = await db.DeadLetters.AsNoTracking().OrderBy(x => x.FaultedAt).Select(x => x.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var redriven = 0;
        var unreadable = new List<Guid>();
        foreach (var id in ids)
        {
            switch (await RedriveAsync(id, cancellationToken).ConfigureAwait(false))
            {
                case RedriveResult.Redriven:
                    redriven++;
                    break;
                case RedriveResult.Unreadable:
                    unreadable.Add(id);
                    break;
            }
        }

        return (redriven, unreadable);
    }

    public Task<int> DiscardAllAsync(CancellationToken cancellationToken) => db.DeadLetters.ExecuteDeleteAsync(cancellationToken);

    public async Task<RedriveResult> RedriveAsync(Guid id, CancellationToken cancellationToken)
    {
        var letter = await db.DeadLetters.FirstOrDefaultAsync(x => x.Id == id, cancellationToken).ConfigureAwait(false);
        if (letter is null)
            return RedriveResult.NotFound;

        if (!redriver.CanRedrive(letter) || !TryReadEnvelope(letter.Payload, out var envelope))
            return RedriveResult.Unreadable;

        await redriver.RedriveAsync(letter, envelope, cancellationToken).ConfigureAwait(false);

        // Removed only after the broker took the message back: a failure here leaves the letter in place to try again.
        db.DeadLetters.Remove(letter);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
        return RedriveResult.Redriven;
    }

    public async Task<bool> DiscardAsync(Guid id, CancellationToken cancellationToken) =>
        await db.DeadLetters.Where(x => x.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;

    static bool TryReadEnvelope(string payload, out RedriveEnvelope envelope)
    {
        envelope = default!;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (!root.TryGetProperty("messageType", out var types) || types.ValueKind != JsonValueKind.Array
                || !root.TryGetProperty("message", out var body))
                return false;
            var type = types.EnumerateArray().Select(t => MessageCatalog.FindByUrn(t.GetString() ?? string.Empty)).FirstOrDefault(t => t is not null);
            if (type is null)
                return false;
            var message = body.Deserialize(type, MessageJson.Options);
            if (message is null)
                return false;

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("headers", out var headerElement) && headerElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in headerElement.EnumerateObject())
                {
                    // The fault and redelivery bookkeeping of the failed attempts does not travel with the re-driven message.
                    if (header.Name.StartsWith("MT-", StringComparison.Ordinal))
                        continue;
                    headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
                }
            }

            envelope = new RedriveEnvelope(type, message, GuidOf(root, "messageId"), GuidOf(root, "correlationId"), GuidOf(root, "conversationId"), headers);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static Guid? GuidOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetGuid(out var guid) ? guid : null;
}
