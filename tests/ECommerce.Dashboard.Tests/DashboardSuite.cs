using System.Globalization;
using ECommerce.AppHost.Hosting;
using ECommerce.AppHost.Testing;
using Microsoft.Playwright;

namespace ECommerce.Dashboard.Tests;

/// <summary>One AppHost (broker and four services on SQLite) and one headless Chromium shared by the dashboard tests: the
/// suite takes a minute to start, and the tests only add to it. Retries and redeliveries are shortened so a poison message
/// reaches the dead letters in seconds.</summary>
public sealed class DashboardSuite : IAsyncLifetime
{
    /// <summary>The launch options PACKAGES.md gives for Debian's chromium: never a downloaded browser.</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic",
    ];

    private readonly List<string> output = [];
    private IPlaywright? playwright;

    public AppHostProcess AppHost { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri Dashboard => new(string.Create(CultureInfo.InvariantCulture,
        $"http://127.0.0.1:{ECommerceSuite.DefaultDashboardPort + AppHost.PortOffset}/"));

    /// <summary>Where screenshots go: beside the test assembly, so a CI run keeps them with the other outputs.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public Uri ServiceUri(string service) => AppHost.ServiceUri(service);

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (output)
            {
                return output.ToList();
            }
        }
    }

    public async Task InitializeAsync()
    {
        AppHost = await AppHostProcess.StartAsync(new AppHostProcessOptions
        {
            Environment = new Dictionary<string, string?>
            {
                ["ConnectionStrings__messaging"] = null,
                ["Messaging__RetryIntervals__0"] = "00:00:00.050",
                ["Messaging__RedeliveryIntervals__0"] = "00:00:01",
                ["Messaging__DelayTiers__0"] = "00:00:01",
            },
            OnOutput = line =>
            {
                lock (output)
                {
                    output.Add(line);
                }
            },
        });
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (AppHost is not null)
        {
            await AppHost.DisposeAsync();
        }
    }

    /// <summary>A fresh page at a laptop's screen size, logging the page's console errors into <paramref name="log"/>.</summary>
    public async Task<IPage> NewPageAsync(Action<string> log)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            BaseURL = Dashboard.ToString(),
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                log("browser console: " + message.Text);
            }
        };
        page.PageError += (_, error) => log("page error: " + error);
        return page;
    }
}
