namespace ECommerce.DataPlatform.Replay;

public sealed record ReplayView(Guid ReplayId, string Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, long? EventsReplayed,
    long? RecordsRead, string? Error)
{
    public static ReplayView From(ReplayRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ReplayView(request.Id, request.Status.ToString(), request.RequestedAt, request.CompletedAt, request.EventsReplayed,
            request.RecordsRead, request.Error);
    }
}
