using ECommerce.AppHost.Tests.Suite;
using Microsoft.Playwright;

namespace ECommerce.AppHost.Tests.Dashboard;

/// <summary>One suite with the Aspire dashboard the AppHost starts, and one headless Debian Chromium, shared by the dashboard
/// tests: a suite takes half a minute to start and the tests only add to it. Retries and redeliveries are short, so a
/// poison message reaches the dead letters in seconds.</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>The launch options PACKAGES.md gives for Debian's chromium: never a downloaded browser.</summary>
    static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic",
    ];

    readonly List<string> _log = [];
    IPlaywright? _playwright;

    public SuiteApp Suite { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: beside the test assembly, so a CI run keeps them with its other outputs.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    /// <summary>The suite's log so far, for a failing test to show.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
                return _log.ToList();
        }
    }

    public async Task InitializeAsync()
    {
        Suite = await SuiteApp.StartAsync(new SuiteOptions
        {
            Dashboard = true,
            Configuration = new Dictionary<string, string>
            {
                ["Messaging:RetryIntervals:0"] = "00:00:00.050",
                ["Messaging:RedeliveryIntervals:0"] = "00:00:01",
            },
            Log = line =>
            {
                lock (_log)
                    _log.Add(line);
            },
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>A page of a fresh browser context on the dashboard; script errors go to <paramref name="onError"/>.</summary>
    public async Task<IPage> NewPageAsync(Action<string> onError)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Suite.DashboardUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1600, Height = 1000 },
        });
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => onError("page error: " + error);
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Suite is not null)
            await Suite.DisposeAsync();
    }
}
