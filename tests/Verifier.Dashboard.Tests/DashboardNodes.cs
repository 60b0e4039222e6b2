namespace Verifier.Dashboard.Tests;

using Microsoft.Playwright;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// Two real `verifier serve` nodes on 127.0.0.1 sharing one fresh database (a browser cannot reach a TestServer), a
/// SIMULATED vendor on 127.0.0.1, one key per role, and Debian's chromium driven by Playwright. Shared by the
/// dashboard tests of one class; each test opens its own browser context (its own cookies).
/// </summary>
public sealed class DashboardNodes : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    public VendorStub Vendor { get; private set; } = null!;
    public ServiceNode A { get; private set; } = null!;
    public ServiceNode B { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Dictionary<string, string> Keys { get; } = [];
    private IPlaywright playwright = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Vendor = await VendorStub.StartAsync();
        await using (var db = Db())
            foreach (var role in new[] { "admin", "auditor", "viewer" })
                Keys[role] = (await KeyStore.CreateAsync(db, role, "dashboard " + role, null)).Key;
        A = await ServiceNode.StartAsync("node-a", Database.ConnectionString);
        B = await ServiceNode.StartAsync("node-b", Database.ConnectionString);
        Assertions.SetDefaultExpectTimeout(30_000);
        playwright = await Playwright.CreateAsync();
        // Never without ExecutablePath: Playwright's own browser download is not reachable here; test.sh installs chromium.
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true });
    }

    public VerifierDb Db() => new(VerifierDb.Options(Database.ConnectionString), VerifierFactory.LogKey);

    /// <summary>A fresh browser context signed in with the key of the role (on node A unless told).</summary>
    public async Task<IPage> SignedInPageAsync(string role, ServiceNode? node = null)
    {
        var page = await NewPageAsync();
        await page.GotoAsync((node ?? A).BaseUrl + "/dashboard/sign-in");
        await page.FillAsync("#key", Keys[role]);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/dashboard");
        return page;
    }

    /// <summary>A page in a fresh context (no cookies). Generous timeouts: the test machines run several builds at once.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
        await A.DisposeAsync();
        await B.DisposeAsync();
        await Vendor.DisposeAsync();
        await Database.DisposeAsync();
    }
}
