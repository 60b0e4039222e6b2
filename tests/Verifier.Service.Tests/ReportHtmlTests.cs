namespace Verifier.Service.Tests;

using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Verifier.Core.Audits;
using Verifier.Core.Exchanges;
using Verifier.Core.Reports;
using Verifier.Core.Sla;
using Verifier.Service.Reports;

/// <summary>The HTML report (Razor, HtmlRenderer) against the Markdown one, and what a hostile vendor can put in it.</summary>
public partial class ReportHtmlTests
{
    private const string Script = "<script>alert(1)</script>";

    private static AuditResult Result()
    {
        var verdict = new Verdict(VerdictKind.Mismatch, "deepseek-r1", "r1-distill-qwen-7b", 3e-7,
            [new("r1-distill-qwen-7b@bf16", 0.97), new("mix:deepseek-r1@fp8+r1-distill-qwen-7b@bf16@0.2", 0.03), new("deepseek-r1@fp8", 3e-7)], 1e-3, "Mismatch: …")
        {
            VariantPosterior = [new("r1-distill-qwen-7b", 0.97), new("deepseek-r1", 3e-7)], Threshold = 0.99, MismatchThreshold = 9.2e-5, MostLikelyBuild = "r1-distill-qwen-7b@bf16",
        };
        var at = new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero);
        var request = Encoding.UTF8.GetBytes("""{"model":"deepseek-r1","messages":[{"role":"user","content":"Repeat <b>bold</b> & more"}]}""");
        var response = Encoding.UTF8.GetBytes("""{"choices":[{"message":{"role":"assistant","content":"<script>alert(1)</script> | `x` ~~~"}}],"usage":{"prompt_tokens":12,"completion_tokens":5}}""");
        Exchange Make(int seq, byte[] body) => new(seq, "tokenizer-pair-1", "POST", "https://vendor.example/v1/chat/completions",
            new Dictionary<string, string> { ["Authorization"] = "[redacted]" }, request, 200, new Dictionary<string, string> { ["Set-Cookie"] = "s=1" }, body,
            ExchangeOutcome.Ok, null, at.AddSeconds(seq), TimeSpan.FromMilliseconds(812), TimeSpan.FromMilliseconds(120), new TokenUsage(12, 5), 1);
        var evidence = new EvidenceItem("tokenizer-pair-1", "Tokenizer", [1, 2], "segment counted 17 tokens " + Script, new Dictionary<string, double> { ["deepseek-r1@fp8"] = -9.2 })
        {
            Tier = "family", OutcomeKey = "family:qwen", Weighing = "deterministic",
        };
        return new AuditResult(verdict, [Make(1, response), Make(2, Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"<img src=x onerror=alert(2)>\"}}]}\n\ndata: [DONE]\n\n"))],
            [evidence], new AuditCost(2, 24, 10, TimeSpan.FromSeconds(1.6)), "2026.12", "abc123")
        {
            ReferenceRunsUsed = ["ref-deepseek-r1@fp8-1"], StopReason = "decided",
        };
    }

    private static readonly ReportContext Context = new("7d2f", "vendor " + Script, new DateTimeOffset(2026, 12, 3, 6, 1, 0, TimeSpan.Zero))
    {
        Claim = "deepseek-r1@fp8", Endpoint = "https://vendor.example/v1", Model = "deepseek-r1",
        RequestedAt = new DateTimeOffset(2026, 12, 3, 5, 59, 58, TimeSpan.Zero), StartedAt = new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 12, 3, 6, 1, 0, TimeSpan.Zero), Anchor = new LogAnchor(17, "00ff", "beef"),
        SlaWindows =
        [
            new("24h", SlaCalculator.Compute([], new DateTimeOffset(2026, 12, 2, 6, 1, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 6, 1, 0, TimeSpan.Zero))),
            new("7d", SlaCalculator.Compute([new(new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero), 1500, 90, 40, ExchangeOutcome.Ok)],
                new DateTimeOffset(2026, 11, 26, 6, 1, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 6, 1, 0, TimeSpan.Zero), 2, 1)),
        ],
    };

    [Fact]
    public async Task Vendor_text_renders_inert_and_no_credential_header_is_shown()
    {
        var html = await ReportHtml.RenderAsync(Result(), Context);
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Set-Cookie", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("redacted", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_page_is_coloured_by_verdict_and_breaks_before_the_evidence_when_printed()
    {
        var html = await ReportHtml.RenderAsync(Result(), Context);
        Assert.StartsWith("<!DOCTYPE html>", html.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("class=\"verdict tone-mismatch\"", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.Matches(@"\.first-page\s*\{[^}]*break-after:\s*page", html);
        var firstPage = html[html.IndexOf("<section class=\"first-page\">", StringComparison.Ordinal)..html.IndexOf("</section>", StringComparison.Ordinal)];
        foreach (var text in new[] { "MISMATCH — the endpoint is not the claimed model", "DeepSeek-R1 (671B), at precision fp8", "DeepSeek-R1-Distill-Qwen-7B (97 %)",
            "&lt; 0.01 %", "1 audit in 1,000", "2026-12-03 05:59:58 UTC", "2026-12-03 06:01:00 UTC", "abc123", "ref-deepseek-r1@fp8-1", "entry #17 (verdict.stored)", "00ff", "beef", "Signature" })
            Assert.Contains(text, firstPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Evidence in plain words", firstPage, StringComparison.Ordinal);

        var consistent = Result() with { Verdict = Result().Verdict with { Kind = VerdictKind.Consistent, ClaimPosterior = 0.995 } };
        Assert.Contains("tone-consistent", await ReportHtml.RenderAsync(consistent, Context), StringComparison.Ordinal);
        var inconclusive = Result() with { Verdict = Result().Verdict with { Kind = VerdictKind.Inconclusive, ClaimPosterior = 0.4 } };
        Assert.Contains("tone-inconclusive", await ReportHtml.RenderAsync(inconclusive, Context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_and_html_say_the_same_things_in_the_same_order()
    {
        var result = Result();
        var model = ReportModel.From(result, Context);
        var md = AuditReports.ToMarkdown(model);
        var html = await ReportHtml.RenderAsync(model);
        var text = Normalize(WebUtility.HtmlDecode(Tags().Replace(html, " ")));
        // every value the Markdown shows (labels and table headers aside) is in the HTML, in the same order
        var values = ReportDocument.From(model).SelectMany(b => b switch
        {
            Heading h => [h.Text],
            Banner x => [x.Text],
            Bullets l => l.Items.SelectMany(i => i).Where(x => x.Style != SpanStyle.Label).Select(x => x.Text),
            Table t => t.Rows.SelectMany(r => r.SelectMany(c => c)).Select(x => x.Text),
            Preformatted p => [p.Text],
            _ => throw new InvalidOperationException(b.GetType().Name),
        }).Select(Normalize).Where(t => t.Length > 1).ToList();
        Assert.Contains(values, v => v.Contains('&', StringComparison.Ordinal) || v.Contains('<', StringComparison.Ordinal)); // encoded text is compared too
        var position = 0;
        foreach (var value in values)
        {
            var found = text.IndexOf(value, position, StringComparison.Ordinal);
            Assert.True(found >= 0, $"HTML lacks (after position {position}): {value}");
            position = found;
        }
        foreach (var header in new[] { "Audit report", "Sign-off", "Evidence in plain words", "Probabilities", "Cost", "Service levels", "Appendix: raw exchanges" })
            Assert.Contains(header, md, StringComparison.Ordinal);
        foreach (var figure in new[] { "1.5 s / 1.5 s", "1 of 2 (50 %)", "812 ms / 812 ms", "p95 latency 1.5 s, errors 0 % over 7 d to the audit's finish (1 request)" })
        {
            Assert.Contains(figure, md, StringComparison.Ordinal);
            Assert.Contains(figure, text, StringComparison.Ordinal);
        }
    }

    private static string Normalize(string s) => Spaces().Replace(s, " ").Trim();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
