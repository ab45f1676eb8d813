using ECommerce.Services.IntegrationTests.Coupon;
using ECommerce.Services.IntegrationTests.Coupon.Load;
using ECommerce.Services.IntegrationTests.Harness;
using ECommerce.Services.IntegrationTests.Infrastructure;
using Xunit;

namespace ECommerce.Services.IntegrationTests.Faults;

/// <summary>The flash sale every fault test breaks something in: two coupon instances in one consumer group, which splits the
/// coupon-issue partitions between them, the <see cref="FaultScale"/> sale's coupons (each on a partition of its own) and plan,
/// and the load spread over both instances.</summary>
public sealed class TwoInstanceSale : IDisposable
{
    readonly ServiceEnvironment _environment;

    TwoInstanceSale(ServiceEnvironment environment, ServiceProcess first, ServiceProcess second)
    {
        _environment = environment;
        First = first;
        Second = second;
        FirstApi = new CouponApi(first.BaseAddress, FlashSaleScenario.Concurrency);
        SecondApi = new CouponApi(second.BaseAddress, FlashSaleScenario.Concurrency);
        Plan = FlashSalePlan.Create(Scale.Users, Scale.RequestsPerUser, Scale.Coupons, FlashSaleScenario.Seed);
    }

    public FlashSaleScale Scale { get; } = FaultScale.Sale;

    public ServiceProcess First { get; }

    public ServiceProcess Second { get; }

    public CouponApi FirstApi { get; }

    public CouponApi SecondApi { get; }

    public IReadOnlyList<PlannedRequest> Plan { get; }

    public IReadOnlyList<Guid> CouponIds { get; private set; } = [];

    /// <summary>Starts both instances, waits until they own every coupon-issue partition between them, creates the coupons.</summary>
    /// <param name="settings">More environment for both instances (a test's own messaging settings).</param>
    public static async Task<TwoInstanceSale> StartAsync(ServiceEnvironment environment, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var first = await FlashSaleScenario.StartInstanceAsync(environment, "first", settings).ConfigureAwait(false);
        var second = await FlashSaleScenario.StartInstanceAsync(environment, "second", settings).ConfigureAwait(false);
        await Task.WhenAll(first.WaitHealthyAsync(TimeSpan.FromSeconds(120)), second.WaitHealthyAsync(TimeSpan.FromSeconds(120))).ConfigureAwait(false);
        await FlashSaleScenario.WaitForIssuingOwnersAsync(environment, first, second).ConfigureAwait(false);
        var sale = new TwoInstanceSale(environment, first, second);
        sale.CouponIds = await FlashSaleScenario.CreateCouponsAsync(environment, sale.FirstApi, sale.Scale).ConfigureAwait(false);
        environment.Log.Write($"[test] sending {sale.Plan.Count} requests from {sale.Scale.Users} users");
        return sale;
    }

    /// <summary>Sends the whole plan; <paramref name="onAccepted"/> gets the running count of accepted requests.</summary>
    public Task<LoadResult> RunAsync(Action<int> onAccepted) =>
        LoadDriver.RunAsync(Plan, CouponIds,
            [new ServiceEndpoint("first", FirstApi, () => !First.HasExited), new ServiceEndpoint("second", SecondApi, () => !Second.HasExited)],
            FlashSaleScenario.Concurrency, onAccepted);

    /// <summary>Waits until every request is decided and the outboxes are drained, then checks every invariant of the sale.</summary>
    public async Task<FlashSaleVerdict> FinishAsync(LoadResult load, int expectedDeadLetters = 0)
    {
        await FlashSaleScenario.WaitUntilDecidedAsync(_environment, Plan.Count, [First, Second]).ConfigureAwait(false);
        return await FlashSaleScenario.VerifyAsync(_environment, Scale, Plan, load, CouponIds, FirstApi, expectedDeadLetters).ConfigureAwait(false);
    }

    /// <summary>What every fault test asserts after its sale: the load was answered without unexpected answers, every invariant
    /// holds, both instances survived the fault, and the fault cut through the sale (requests were decided before
    /// <paramref name="faultAt"/>). Returns the requests for the test's own further checks.</summary>
    public async Task<IReadOnlyList<IssueRequestRow>> FinishThroughFaultAsync(LoadResult load, DateTimeOffset faultAt, string fault)
    {
        ArgumentNullException.ThrowIfNull(load);
        _environment.Log.Write($"[test] {load.Accepted} accepted in {load.Elapsed.TotalSeconds:0.0} s; {load.UnexpectedAnswers} unexpected answers");
        var verdict = await FinishAsync(load).ConfigureAwait(false);
        Assert.True(verdict.Violations.Count == 0, verdict.Describe());
        Assert.False(First.HasExited || Second.HasExited, $"an instance died with {fault}");
        Assert.Equal(0, load.UnexpectedAnswers);
        var requests = await (await FlashSaleScenario.TablesAsync(_environment).ConfigureAwait(false)).IssueRequestsAsync().ConfigureAwait(false);
        Assert.Contains(requests, r => r.DecidedAt < faultAt);
        return requests;
    }

    public void Dispose()
    {
        FirstApi.Dispose();
        SecondApi.Dispose();
    }
}
