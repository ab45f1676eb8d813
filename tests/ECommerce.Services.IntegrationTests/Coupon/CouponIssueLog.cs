using System.Text.Json;
using ECommerce.Contracts.Coupons;
using ECommerce.Contracts.Topology;
using ECommerce.Services.IntegrationTests.Infrastructure;
using ECommerce.Testing.Records;

namespace ECommerce.Services.IntegrationTests.Coupon;

/// <summary>Checks the coupon-issue topic itself against the sale's tables, read back from the brokers: every record sits on
/// the partition its key hashes to; each accepted request was published exactly once as a message (a relay that published a
/// row again after a crash or a lease handover uses the same message id, which is a copy, not a second message) and decided
/// exactly once as a message, with the outcome the table holds; and each coupon's outcomes appear in its partition in the
/// order the coupon decided them (first come, first served, as its consumers see it).</summary>
public static class CouponIssueLog
{
    static readonly string Requested = typeof(CouponIssueRequested).FullName!;
    static readonly string Issued = typeof(CouponIssued).FullName!;
    static readonly string Rejected = typeof(CouponIssueRejected).FullName!;

    public static async Task<IReadOnlyList<string>> CheckAsync(ServiceEnvironment environment, IReadOnlyList<IssueRequestRow> requests)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(requests);
        var records = await Task.Run(() => TopicReader.ReadAllAsync(environment.BootstrapServers, Topics.CouponIssue, environment.Messaging))
            .ConfigureAwait(false);
        var violations = new List<string>();
        var partitions = environment.Messaging.PartitionsOf(Topics.CouponIssue);
        foreach (var misplaced in records.Where(r => r.Key is not null && r.Partition != KeyPartitioner.PartitionOf(r.Key, partitions)).Take(5))
            violations.Add($"coupon-issue record with key {misplaced.Key} is on partition {misplaced.Partition}, its key hashes to another");

        var byRequest = requests.ToDictionary(r => r.Id);
        var messages = records.Where(r => r.MessageId is not null)
            .Select(r => (Record: r, RequestId: RequestIdOf(r)))
            .Where(m => m.RequestId is { } id && byRequest.ContainsKey(id))
            .ToList();
        var requested = messages.Where(m => m.Record.MessageType == Requested).GroupBy(m => m.RequestId!.Value)
            .ToDictionary(g => g.Key, g => g.Select(m => m.Record.MessageId).Distinct().Count());
        var outcomes = messages.Where(m => m.Record.MessageType == Issued || m.Record.MessageType == Rejected).GroupBy(m => m.RequestId!.Value)
            .ToDictionary(g => g.Key, g => g.DistinctBy(m => m.Record.MessageId).ToList());
        var copies = records.Count(r => r.MessageId is not null) - records.Where(r => r.MessageId is not null).DistinctBy(r => r.MessageId).Count();
        environment.Log.Write($"[test] coupon-issue holds {records.Count} records ({copies} copies of a message published again)");

        foreach (var request in requests)
        {
            if (requested.GetValueOrDefault(request.Id) != 1)
                violations.Add($"request {request.Id}: {requested.GetValueOrDefault(request.Id)} issue-requested messages on coupon-issue");
            var decided = outcomes.GetValueOrDefault(request.Id) ?? [];
            if (decided.Count != 1)
            {
                violations.Add($"request {request.Id}: {decided.Count} outcome messages on coupon-issue");
                continue;
            }

            var expected = request.Status == "Issued" ? Issued : Rejected;
            if (decided[0].Record.MessageType != expected)
                violations.Add($"request {request.Id}: {request.Status} in the table, {decided[0].Record.MessageType} on coupon-issue");
        }

        // Records are read partition by partition in offset order; a coupon's outcomes are all in its partition.
        foreach (var coupon in messages.Where(m => m.Record.MessageType != Requested).DistinctBy(m => m.Record.MessageId)
                     .GroupBy(m => byRequest[m.RequestId!.Value].CouponId))
        {
            var positions = coupon.OrderBy(m => m.Record.Offset).Select(m => byRequest[m.RequestId!.Value].Position ?? 0).ToList();
            var outOfOrder = positions.Zip(positions.Skip(1)).FirstOrDefault(p => p.Second <= p.First);
            if (outOfOrder != default)
                violations.Add($"coupon {coupon.Key}: on coupon-issue the outcome of position {outOfOrder.Second} follows that of {outOfOrder.First}");
        }

        return violations;
    }

    static Guid? RequestIdOf(TopicRecord record)
    {
        try
        {
            using var json = JsonDocument.Parse(record.Value);
            return json.RootElement.TryGetProperty("message", out var message) && message.TryGetProperty("requestId", out var id)
                && id.TryGetGuid(out var requestId)
                ? requestId
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
