using ECommerce.Services.IntegrationTests.Harness;

namespace ECommerce.Services.IntegrationTests.Coupon.Load;

/// <summary>Checks what the service recorded against what first come, first served demands. First, the order the service
/// decided in (each request's position) must respect the order the clients saw: a request whose 202 arrived before another
/// request was sent must have the lower position. Then the expected decision of every request is computed independently
/// from that order alone: walking a coupon's requests by position, a
/// user who already won gets AlreadyIssued, otherwise the request wins while stock lasts and gets SoldOut after. The service
/// must have decided every request exactly so; with that, "never over stock", "one coupon per user" and "the first distinct
/// users win" all follow, and each is also checked directly against the tables.</summary>
public static class FlashSaleVerifier
{
    public static FlashSaleVerdict Verify(IReadOnlyList<PlannedRequest> plan, IReadOnlyList<RequestOutcome> outcomes,
        IReadOnlyList<CouponSpec> specs, IReadOnlyList<Guid> couponIds, IReadOnlyList<IssueRequestRow> requests,
        IReadOnlyList<CouponRow> coupons, IReadOnlyList<UserCouponRow> userCoupons)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(couponIds);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(coupons);
        ArgumentNullException.ThrowIfNull(userCoupons);
        var violations = new List<string>();

        CheckAcceptance(plan, outcomes, couponIds, requests, violations);
        CheckRealTimeOrder(plan, outcomes, couponIds, requests, violations);

        var userCouponById = userCoupons.ToDictionary(u => u.Id);
        foreach (var duplicate in userCoupons.GroupBy(u => (u.CouponId, u.UserId)).Where(g => g.Count() > 1))
            violations.Add($"user {duplicate.Key.UserId} holds coupon {duplicate.Key.CouponId} {duplicate.Count()} times");
        foreach (var shared in requests.Where(r => r.UserCouponId is not null).GroupBy(r => r.UserCouponId).Where(g => g.Count() > 1))
            violations.Add($"user-coupon {shared.Key} is claimed by {shared.Count()} requests");

        var tallies = new List<CouponTally>();
        for (var c = 0; c < specs.Count; c++)
        {
            var spec = specs[c];
            var id = couponIds[c];
            var rows = requests.Where(r => r.CouponId == id).OrderBy(r => r.Position).ToList();
            var coupon = coupons.SingleOrDefault(x => x.Id == id);
            if (coupon is null)
            {
                violations.Add($"{spec.Name}: no coupons row");
                continue;
            }

            CheckNumbering(spec, coupon, rows, violations);
            var issued = Replay(spec, rows, userCouponById, violations);

            var distinctUsers = rows.Select(r => r.UserId).Distinct().Count();
            var held = userCoupons.Count(u => u.CouponId == id);
            if (issued > spec.Stock)
                violations.Add($"{spec.Name}: {issued} issued, over its stock of {spec.Stock}");
            if (issued != Math.Min(spec.Stock, distinctUsers))
                violations.Add($"{spec.Name}: {issued} issued, expected min(stock {spec.Stock}, {distinctUsers} distinct users)");
            if (coupon.IssuedQuantity != issued || held != issued)
                violations.Add($"{spec.Name}: IssuedQuantity {coupon.IssuedQuantity} and {held} user-coupons, but {issued} requests issued");
            if (coupon.TotalQuantity != spec.Stock)
                violations.Add($"{spec.Name}: TotalQuantity {coupon.TotalQuantity}, created with {spec.Stock}");

            tallies.Add(new CouponTally(spec.Name, spec.Stock, rows.Count, distinctUsers, issued,
                rows.Count(r => r.Reason == "SoldOut"), rows.Count(r => r.Reason == "AlreadyIssued")));
        }

        return new FlashSaleVerdict(violations, tallies);
    }

    /// <summary>Every planned request was accepted exactly once, under its own key, as the request the client was told about.</summary>
    static void CheckAcceptance(IReadOnlyList<PlannedRequest> plan, IReadOnlyList<RequestOutcome> outcomes, IReadOnlyList<Guid> couponIds,
        IReadOnlyList<IssueRequestRow> requests, List<string> violations)
    {
        if (requests.Count != plan.Count)
            violations.Add($"{requests.Count} requests recorded for {plan.Count} sent");
        var byKey = requests.Where(r => r.IdempotencyKey is not null).GroupBy(r => r.IdempotencyKey!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var request in plan)
        {
            var outcome = outcomes[request.Index];
            if (outcome.RequestId is null)
            {
                violations.Add($"request {request.Key} (user {request.UserId}) was never accepted: {string.Join("; ", outcome.Failures)}");
                continue;
            }

            if (!byKey.TryGetValue(request.Key, out var rows))
            {
                violations.Add($"request {request.Key} was answered with {outcome.RequestId} but is not in the database");
                continue;
            }

            if (rows.Count > 1)
                violations.Add($"request {request.Key} was accepted {rows.Count} times");
            var row = rows[0];
            if (row.Id != outcome.RequestId)
                violations.Add($"request {request.Key} was answered with {outcome.RequestId} but recorded as {row.Id}");
            if (row.CouponId != couponIds[request.Coupon] || row.UserId != request.UserId)
                violations.Add($"request {request.Key} recorded for user {row.UserId} / coupon {row.CouponId}, sent for {request.UserId} / {couponIds[request.Coupon]}");
        }
    }

    /// <summary>A coupon's positions are 1..n without gaps or repeats, and its counter says n.</summary>
    static void CheckNumbering(CouponSpec spec, CouponRow coupon, List<IssueRequestRow> rows, List<string> violations)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Position != i + 1)
            {
                violations.Add($"{spec.Name}: position {rows[i].Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} at index {i + 1} (gap, repeat or undecided)");
                break;
            }
        }

        if (coupon.DecidedCount != rows.Count)
            violations.Add($"{spec.Name}: DecidedCount {coupon.DecidedCount} for {rows.Count} accepted requests");
    }

    /// <summary>Per coupon: if request A's acceptance was received before request B's first attempt was sent, A's position is
    /// lower than B's. Swept in time order: at B's send, every request answered so far must be ahead of B.</summary>
    static void CheckRealTimeOrder(IReadOnlyList<PlannedRequest> plan, IReadOnlyList<RequestOutcome> outcomes, IReadOnlyList<Guid> couponIds,
        IReadOnlyList<IssueRequestRow> requests, List<string> violations)
    {
        var positions = requests.Where(r => r.Position is not null).ToDictionary(r => r.Id, r => r.Position!.Value);
        foreach (var coupon in plan.GroupBy(p => p.Coupon))
        {
            var timed = coupon.Select(p => outcomes[p.Index])
                .Where(o => o.RequestId is { } id && positions.ContainsKey(id))
                .Select(o => (o.SentAt, o.AnsweredAt, Position: positions[o.RequestId!.Value]))
                .ToList();
            var answers = timed.OrderBy(t => t.AnsweredAt).ToList();
            var next = 0;
            var highestAnswered = 0L;
            var checkedPairs = 0;
            foreach (var request in timed.OrderBy(t => t.SentAt))
            {
                while (next < answers.Count && answers[next].AnsweredAt < request.SentAt)
                    highestAnswered = Math.Max(highestAnswered, answers[next++].Position);
                checkedPairs += next;
                if (highestAnswered > request.Position)
                {
                    violations.Add($"coupon {couponIds[coupon.Key]}: the request at position {request.Position} was sent after a request " +
                        $"at position {highestAnswered} had been accepted, yet was decided before it");
                    break;
                }
            }

            if (timed.Count > 1 && checkedPairs == 0)
                violations.Add($"coupon {couponIds[coupon.Key]}: no request was sent after another had been answered; the order check checked nothing");
        }
    }

    /// <summary>Walks the coupon's requests in acceptance order, deciding each as first come, first served requires, and
    /// compares with the service's decision. Returns how many the service issued.</summary>
    static int Replay(CouponSpec spec, List<IssueRequestRow> rows, Dictionary<Guid, UserCouponRow> userCoupons, List<string> violations)
    {
        var winners = new HashSet<long>();
        var issued = 0;
        foreach (var row in rows)
        {
            var (status, reason) = winners.Contains(row.UserId) ? ("Rejected", "AlreadyIssued")
                : winners.Count < spec.Stock ? ("Issued", (string?)null)
                : ("Rejected", "SoldOut");
            if (status == "Issued")
                winners.Add(row.UserId);

            if (row.Status != status || row.Reason != reason)
                violations.Add($"{spec.Name} #{row.Position} (user {row.UserId}): {row.Status}/{row.Reason ?? "-"}, expected {status}/{reason ?? "-"}");
            if (row.DecidedAt is null || row.DecidedAt < row.AcceptedAt)
                violations.Add($"{spec.Name} #{row.Position}: decided at {row.DecidedAt?.ToString("O", null) ?? "never"}, accepted at {row.AcceptedAt:O}");

            if (row.Status == "Issued")
            {
                issued++;
                if (row.UserCouponId is not { } userCouponId || !userCoupons.TryGetValue(userCouponId, out var held))
                    violations.Add($"{spec.Name} #{row.Position}: issued without a user-coupon");
                else if (held.CouponId != row.CouponId || held.UserId != row.UserId)
                    violations.Add($"{spec.Name} #{row.Position}: its user-coupon belongs to user {held.UserId} / coupon {held.CouponId}");
            }
            else if (row.UserCouponId is not null)
            {
                violations.Add($"{spec.Name} #{row.Position}: {row.Status} but linked to user-coupon {row.UserCouponId}");
            }
        }

        return issued;
    }
}
