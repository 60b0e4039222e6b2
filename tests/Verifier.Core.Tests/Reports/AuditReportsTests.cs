namespace Verifier.Core.Tests.Reports;

using System.Text.Json;
using Verifier.Core.Audits;
using Verifier.Core.Reports;
using Verifier.Core.Tests.Audits;

public class AuditReportsTests
{
    private static AuditResult Result()
    {
        var plan = Sim.Plan("deepseek-r1", Sim.Candidates(3, 3, 1), 10, [Sim.Reference("deepseek-r1", "fp8", 50, new Random(1))]);
        return AuditEngine.RunAsync(plan, Sim.Executor([new("r1-distill-qwen-7b", "bf16", 1)], new Random(2))).GetAwaiter().GetResult();
    }

    private static readonly ReportContext Context = new("audit-<b>&1", "vendor \"<script>alert(1)</script>\" | x", DateTimeOffset.UnixEpoch) { Banner = "SIMULATION" };

    [Fact]
    public void Json_report_carries_verdict_posterior_evidence_cost_suite_references_and_rate()
    {
        var result = Result();
        using var doc = JsonDocument.Parse(AuditReports.ToJson(result, Context));
        var root = doc.RootElement;
        Assert.Equal("mismatch", root.GetProperty("verdict").GetString());
        Assert.Equal(1e-3, root.GetProperty("designedFalseAccusationRate").GetDouble());
        Assert.Equal("hash-1", root.GetProperty("suiteHash").GetString());
        Assert.Equal("test-suite-1", root.GetProperty("suiteVersion").GetString());
        Assert.Equal("ref-deepseek-r1@fp8", root.GetProperty("referenceRunsUsed")[0].GetString());
        Assert.Equal(result.Cost.Requests, root.GetProperty("cost").GetProperty("requests").GetInt32());
        var evidence = root.GetProperty("evidence");
        Assert.Equal(result.Evidence.Count, evidence.GetArrayLength());
        Assert.Equal(result.Evidence[0].ExchangeSequences[0], evidence[0].GetProperty("exchangeSequences")[0].GetInt32());
        Assert.True(root.GetProperty("variantPosterior").GetArrayLength() <= 10);
        Assert.Equal(result.Verdict.VariantPosterior[0].Hypothesis, root.GetProperty("variantPosterior")[0].GetProperty("hypothesis").GetString());
    }

    [Fact]
    public void Markdown_report_has_the_sections_and_exchange_ids()
    {
        var result = Result();
        var md = AuditReports.ToMarkdown(result, Context);
        Assert.Contains("**Verdict: mismatch**", md, StringComparison.Ordinal);
        Assert.Contains("Designed false-accusation rate: 0.001", md, StringComparison.Ordinal);
        Assert.Contains("## Posterior", md, StringComparison.Ordinal);
        Assert.Contains("## Evidence", md, StringComparison.Ordinal);
        Assert.Contains("hash `hash-1`", md, StringComparison.Ordinal);
        Assert.Contains("`ref-deepseek-r1@fp8`", md, StringComparison.Ordinal);
        Assert.Contains("vendor \"&lt;script>alert(1)&lt;/script>\" \\| x", md, StringComparison.Ordinal); // pipes can't break the table
        foreach (var e in result.Evidence) Assert.Contains(e.ProbeId, md, StringComparison.Ordinal);
        Assert.StartsWith("> **SIMULATION**", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_report_encodes_everything()
    {
        var html = AuditReports.ToHtml(Result(), Context);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("audit-<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("audit-&lt;b&gt;&amp;1", html, StringComparison.Ordinal);
        Assert.Contains("Verdict: mismatch", html, StringComparison.Ordinal);
        Assert.Contains("SIMULATION", html, StringComparison.Ordinal);
        Assert.Contains("Designed false-accusation rate: 0.001", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_and_html_say_the_same_things()
    {
        var result = Result();
        var md = AuditReports.ToMarkdown(result, Context);
        var html = System.Net.WebUtility.HtmlDecode(AuditReports.ToHtml(result, Context));
        var texts = ReportDocument.From(ReportModel.From(result, Context)).SelectMany(b => b switch
        {
            Heading h => [h.Text],
            Banner x => [x.Text],
            Bullets l => l.Items.SelectMany(i => i).Select(x => x.Text),
            Table t => t.Header.Concat(t.Rows.SelectMany(r => r.SelectMany(c => c)).Select(x => x.Text)),
            _ => throw new InvalidOperationException(b.GetType().Name),
        }).Where(t => t.Length > 0).ToList();
        Assert.Contains("Observed", texts);
        Assert.Contains(texts, t => t.StartsWith("Generated: 1970-01-01", StringComparison.Ordinal));
        foreach (var text in texts)
        {
            Assert.Contains(text, html, StringComparison.Ordinal);
            if (text.IndexOfAny(['|', '<', '\\', '`', '\n']) < 0) Assert.Contains(text, md, StringComparison.Ordinal);
        }
    }
}
