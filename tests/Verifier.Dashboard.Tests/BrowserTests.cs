namespace Verifier.Dashboard.Tests;

using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;
using static Microsoft.Playwright.Assertions;

/// <summary>The dashboard in a real browser (chromium) against real nodes, a real database and a SIMULATED vendor.</summary>
public class BrowserTests(DashboardNodes nodes) : IClassFixture<DashboardNodes>
{
    [Fact]
    public async Task An_admin_signs_in_creates_a_target_runs_a_spot_check_watches_it_complete_opens_report_and_exchanges_and_sees_a_webhook_delivery()
    {
        var page = await nodes.SignedInPageAsync("admin");
        await page.ClickAsync("text=Admin: targets");
        await page.FillAsync("#name", "Acme R1 (simulated)");
        await page.FillAsync("#baseUrl", nodes.Vendor.BaseUrl);
        await page.FillAsync("#model", "deepseek-r1");
        await page.FillAsync("#claimedVariant", "deepseek-r1");
        await page.ClickAsync("#create-target");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Acme R1 (simulated)");
        var targetUrl = page.Url;

        await page.ClickAsync("#spot-check");
        await page.WaitForURLAsync("**/dashboard/audits/*");
        var auditUrl = page.Url;
        // The page refreshes itself while the audit is queued or running; the verdict appears once it has completed.
        await Expect(page.Locator("#verdict")).ToBeVisibleAsync(new() { Timeout = 240_000 });
        await Expect(page.Locator("[data-status]").First).ToHaveTextAsync("completed");
        await Expect(page.Locator("#in-progress")).ToHaveCountAsync(0);
        Assert.True(await page.Locator("#evidence tbody tr").CountAsync() > 0);

        // The raw exchanges: the prompt sent and the vendor's answer, with timing and usage.
        var exchanges = page.Locator("#exchanges tr[id^=exchange-]");
        Assert.True(await exchanges.CountAsync() > 0);
        var prompt = page.Locator("#exchanges details", new() { Has = page.Locator("pre.request-body", new() { HasText = "\"messages\"" }) }).First;
        await prompt.Locator("summary").ClickAsync();
        await Expect(prompt.Locator("pre")).ToBeVisibleAsync();
        var responses = await page.Locator("#exchanges pre.response-body").AllTextContentsAsync();
        Assert.Contains(responses, r => r.Contains("Hello", StringComparison.Ordinal));
        await Expect(exchanges.First).ToContainTextAsync(" ms");

        // Every write through the dashboard is in the audit log, attributed to the signed-in key.
        await using (var db = nodes.Db())
        {
            var auditId = auditUrl.Split('/').Last();
            var admin = await db.ApiKeys.SingleAsync(k => k.Name == "dashboard admin");
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == Verifier.Core.AuditLog.AuditActions.TargetCreated && e.KeyId == admin.Id));
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == Verifier.Core.AuditLog.AuditActions.AuditRequested && e.EntityId == auditId && e.KeyId == admin.Id));
        }

        var report = await page.Context.NewPageAsync();
        var response = await report.GotoAsync(auditUrl + "/report.html");
        Assert.Equal(200, response!.Status);
        await Expect(report.Locator("body")).ToContainTextAsync("deepseek-r1");
        var json = await report.GotoAsync(auditUrl + "/report.json");
        Assert.Contains("\"verdict\"", await json!.TextAsync(), StringComparison.Ordinal);

        await page.GotoAsync(targetUrl);
        await Expect(page.Locator("#timeline tbody tr")).ToHaveCountAsync(1);
        Assert.True(await page.Locator(".chart svg").CountAsync() >= 3); // latency, TTFT, tokens/s from the exchanges just stored
        // The SLA figures of the window, from the same engine as GET /api/v1/targets/{id}/sla.
        await Expect(page.Locator("#sla tbody td").Nth(0)).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("#sla tbody td").Nth(2)).ToContainTextAsync(" ms");

        // A webhook to a receiver on 127.0.0.1 (allowed by the nodes' Verifier:Targets:AllowedHosts): its secret is
        // shown once, "Send test" queues a signed test event, and the dispatcher's attempt appears in the delivery log.
        await using var receiver = await WebhookReceiver.StartAsync();
        await page.ClickAsync("text=Admin: webhooks");
        await page.FillAsync("#webhookName", "ops receiver");
        await page.FillAsync("#webhookUrl", receiver.Url);
        await page.ClickAsync("#create-webhook");
        receiver.Secret = (await page.Locator("#new-webhook-secret").TextContentAsync())!.Trim();
        await Expect(page.Locator("#webhooks tbody tr")).ToContainTextAsync(receiver.Url);
        await page.ClickAsync("button[data-test='ops receiver']");
        await Expect(page.Locator("#webhook-message")).ToContainTextAsync("queued");
        var statusCell = page.Locator("table.deliveries[data-webhook='ops receiver'] td.status-code");
        for (var tries = 0; tries < 60 && await statusCell.CountAsync() == 0; tries++)
        {
            await Task.Delay(1000);
            await page.GotoAsync(nodes.A.BaseUrl + "/dashboard/admin/webhooks");
        }
        await Expect(statusCell.First).ToHaveTextAsync("200");
        await Expect(page.Locator("table.deliveries[data-webhook='ops receiver'] tbody tr").First).ToContainTextAsync("test");
        Assert.Contains(receiver.Accepted, r => r.EventType == "test" && r.SignatureValid);
        await using (var db = nodes.Db())
        {
            var admin = await db.ApiKeys.SingleAsync(k => k.Name == "dashboard admin");
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == Verifier.Core.AuditLog.AuditActions.WebhookCreated && e.KeyId == admin.Id));
            Assert.True(await db.AuditLog.AnyAsync(e => e.Action == Verifier.Core.AuditLog.AuditActions.WebhookTested && e.KeyId == admin.Id));
        }
        await page.GotoAsync(targetUrl);

        if (Environment.GetEnvironmentVariable("VERIFIER_SCREENSHOTS") is { Length: > 0 })
        {
            var docs = Path.Combine(RepoRoot(), "docs");
            await page.ScreenshotAsync(new() { Path = Path.Combine(docs, "dashboard-target.png"), FullPage = true });
            await page.GotoAsync(nodes.A.BaseUrl + "/dashboard");
            await page.ScreenshotAsync(new() { Path = Path.Combine(docs, "dashboard-targets.png") });
            await report.GotoAsync(auditUrl + "/report.html");
            await report.ScreenshotAsync(new() { Path = Path.Combine(docs, "report-first-page.png") });
        }
    }

    [Fact]
    public async Task A_wrong_key_shows_an_error_and_sets_no_session_cookie()
    {
        var page = await nodes.NewPageAsync();
        await page.GotoAsync(nodes.A.BaseUrl + "/dashboard");
        await page.WaitForURLAsync("**/dashboard/sign-in?returnUrl=*"); // not signed in: sent to the sign-in page
        await page.FillAsync("#key", "r1v_not-a-key");
        await page.ClickAsync("#sign-in");
        await Expect(page.Locator("#sign-in-error")).ToHaveTextAsync("Unknown or revoked key.");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "verifier.session");
    }

    [Fact]
    public async Task A_viewer_sees_targets_but_neither_admin_pages_nor_the_spot_check_button()
    {
        var page = await nodes.SignedInPageAsync("viewer");
        await Expect(page.Locator("text=Admin: targets")).ToHaveCountAsync(0);
        foreach (var path in new[] { "/dashboard/admin/targets", "/dashboard/admin/keys", "/dashboard/admin/webhooks" })
        {
            var response = await page.GotoAsync(nodes.A.BaseUrl + path);
            Assert.Equal(403, response!.Status);
            await Expect(page.Locator("h1")).ToHaveTextAsync("Not allowed");
        }
        await using var db = nodes.Db();
        var target = new TargetRow { Id = Guid.NewGuid(), Name = "viewer-visible", Kind = Verifier.Core.Audits.TargetKind.OpenAi, BaseUrl = nodes.Vendor.BaseUrl, Model = "m", ClaimedVariant = "deepseek-r1", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        db.Targets.Add(target);
        await db.SaveChangesAsync();
        await page.GotoAsync($"{nodes.A.BaseUrl}/dashboard/targets/{target.Id}");
        await Expect(page.Locator("h1")).ToHaveTextAsync("viewer-visible");
        await Expect(page.Locator("#spot-check")).ToHaveCountAsync(0);

        await page.ClickAsync("#sign-out");
        await page.WaitForURLAsync("**/dashboard/sign-in");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "verifier.session");
    }

    [Fact]
    public async Task Vendor_text_with_script_renders_as_inert_text()
    {
        const string Attack = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
        var now = DateTimeOffset.UtcNow;
        var target = new TargetRow { Id = Guid.NewGuid(), Name = "evil " + Attack, Kind = Verifier.Core.Audits.TargetKind.OpenAi, BaseUrl = nodes.Vendor.BaseUrl, Model = "m", ClaimedVariant = "deepseek-r1", CreatedAt = now, UpdatedAt = now };
        var audit = new AuditRow { Id = Guid.NewGuid(), TargetId = target.Id, Status = AuditStatus.Failed, Trigger = AuditTrigger.Spot, ClaimedVariant = "deepseek-r1", Error = "vendor said " + Attack, CreatedAt = now, FinishedAt = now };
        var exchange = new ExchangeRow
        {
            AuditId = audit.Id, Seq = 1, ProbeId = "identity", Attempt = 1, Method = "POST", Url = nodes.Vendor.BaseUrl + "/v1/chat/completions",
            RequestBody = "{\"messages\":[]}"u8.ToArray(), StatusCode = 200, ResponseBody = System.Text.Encoding.UTF8.GetBytes("{\"content\":\"" + Attack.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}"),
            Outcome = "Ok", StartedAt = now, DurationMs = 12,
        };
        await using (var db = nodes.Db())
        {
            db.Targets.Add(target);
            await db.SaveChangesAsync(); // no navigations: EF does not order the inserts by foreign key
            db.Audits.Add(audit);
            await db.SaveChangesAsync();
            db.Exchanges.Add(exchange);
            await db.SaveChangesAsync();
        }
        var page = await nodes.SignedInPageAsync("viewer");
        var dialogs = 0;
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        foreach (var url in new[] { "/dashboard", $"/dashboard/targets/{target.Id}", $"/dashboard/audits/{audit.Id}" })
        {
            await page.GotoAsync(nodes.A.BaseUrl + url);
            Assert.Null(await page.EvaluateAsync<int?>("window.pwned"));
        }
        await page.Locator("#exchanges details summary").Nth(1).ClickAsync();
        await Expect(page.Locator("pre.response-body")).ToContainTextAsync("<script>window.pwned = 1</script>"); // shown as text
        await Expect(page.Locator("main")).ToContainTextAsync("vendor said <script>");
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Equal(0, dialogs);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Verifier.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Verifier.sln not found above the test binary.");
    }
}
