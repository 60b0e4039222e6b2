namespace Verifier.Core.Tests.Reports;

using System.Text.Json;
using Verifier.Core.Audits;
using Verifier.Core.Exchanges;
using Verifier.Core.Reports;
using Verifier.Core.Sla;

public class ServiceLevelsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 6, 0, 0, TimeSpan.Zero);

    private static Exchange Make(int seq, ExchangeOutcome outcome, double ms, double? ttftMs, int? completion) =>
        new(seq, "probe-" + seq, "POST", "https://vendor.example/v1/chat/completions", new Dictionary<string, string>(), [], outcome == ExchangeOutcome.Ok ? 200 : null,
            new Dictionary<string, string>(), [], outcome, outcome == ExchangeOutcome.Ok ? null : "timed out", At.AddSeconds(seq), TimeSpan.FromMilliseconds(ms),
            ttftMs is { } t ? TimeSpan.FromMilliseconds(t) : null, completion is { } c ? new TokenUsage(10, c) : null, 1);

    // four delivered answers and one timeout: latency over the delivered ones, rates over all five
    private static readonly Exchange[] Known =
    [
        Make(1, ExchangeOutcome.Ok, 400, 100, 30), Make(2, ExchangeOutcome.Ok, 800, 200, 30), Make(3, ExchangeOutcome.Ok, 1200, 300, 30),
        Make(4, ExchangeOutcome.Ok, 2000, 400, 30), Make(5, ExchangeOutcome.Timeout, 30000, null, null),
    ];

    [Fact]
    public void The_audits_own_exchanges_give_readable_percentiles_throughput_and_rates()
    {
        var levels = ServiceLevels.Of(Known, [], At);
        Assert.Equal(5, levels.Audit.Requests);
        Assert.Equal(["this audit's exchanges", "5", "800 ms / 2.0 s", "200 ms / 400 ms", "35.3 tokens/s", "20 %", "20 %", "—"], Assert.Single(ServiceLevelWording.Rows(levels)));
        Assert.Equal("p95 latency 2.0 s, errors 20 % over this audit's 5 exchanges", ServiceLevelWording.Summary(levels));
    }

    [Fact]
    public void Target_windows_follow_the_audit_row_and_the_first_page_names_the_shortest_window_with_data()
    {
        var day = SlaCalculator.Compute([], At.AddDays(-1), At);
        var week = SlaCalculator.Compute([new(At.AddDays(-3), 1234, 80, 50, ExchangeOutcome.Ok), new(At.AddDays(-2), 100, null, null, ExchangeOutcome.HttpError)],
            At.AddDays(-7), At, checksExpected: 4, checksCompleted: 3);
        var levels = ServiceLevels.Of(Known, [new("24h", day), new("7d", week)], At);
        var rows = ServiceLevelWording.Rows(levels);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["the target, 24 h to the audit's finish", "0", "no data", "no data", "no data", "no data", "no data", "none scheduled"], rows[1]);
        Assert.Equal(["the target, 7 d to the audit's finish", "2", "1.2 s / 1.2 s", "80 ms / 80 ms", "43.3 tokens/s", "50 %", "0 %", "3 of 4 (75 %)"], rows[2]);
        Assert.Equal("p95 latency 1.2 s, errors 50 % over 7 d to the audit's finish (2 requests)", ServiceLevelWording.Summary(levels));
    }

    [Fact]
    public void An_audit_without_exchanges_says_no_data_in_every_format_and_never_NaN()
    {
        var levels = ServiceLevels.Of([], [], At);
        Assert.Equal(0, levels.Audit.Requests);
        Assert.All(ServiceLevelWording.Rows(levels)[0][2..7], cell => Assert.Equal("no data", cell));
        Assert.Equal("no data", ServiceLevelWording.Summary(levels));

        var verdict = new Verdict(VerdictKind.Inconclusive, "deepseek-r1", null, 0.5, [new("deepseek-r1@fp8", 0.5)], 1e-3, "Inconclusive");
        var result = new AuditResult(verdict, [], [], new AuditCost(0, 0, 0, TimeSpan.Zero), "2026.12", "abc");
        var context = new ReportContext("a1", "vendor", At);
        var md = AuditReports.ToMarkdown(result, context);
        Assert.Contains("**Service levels:** no data", md, StringComparison.Ordinal);
        Assert.Contains("| this audit's exchanges | 0 | no data | no data | no data | no data | no data | — |", md, StringComparison.Ordinal);
        var json = AuditReports.ToJson(result, context);
        Assert.DoesNotContain("NaN", md + json, StringComparison.Ordinal);
        var audit = JsonDocument.Parse(json).RootElement.GetProperty("serviceLevels").GetProperty("audit");
        Assert.Equal(0, audit.GetProperty("requests").GetInt32());
        Assert.Equal(JsonValueKind.Null, audit.GetProperty("p95LatencyMs").ValueKind);
    }

    [Fact]
    public void The_markdown_report_places_the_section_after_the_evidence_and_before_the_appendix_and_json_carries_the_figures()
    {
        var verdict = new Verdict(VerdictKind.Inconclusive, "deepseek-r1", null, 0.5, [new("deepseek-r1@fp8", 0.5)], 1e-3, "Inconclusive");
        var result = new AuditResult(verdict, Known, [], new AuditCost(5, 50, 120, TimeSpan.FromSeconds(35)), "2026.12", "abc");
        var week = SlaCalculator.Compute([new(At.AddDays(-3), 1234, 80, 50, ExchangeOutcome.Ok)], At.AddDays(-7), At);
        var context = new ReportContext("a1", "vendor", At) { SlaWindows = [new("7d", week)] };
        var md = AuditReports.ToMarkdown(result, context);
        int evidence = md.IndexOf("## Evidence in plain words", StringComparison.Ordinal), section = md.IndexOf("## Service levels", StringComparison.Ordinal),
            appendix = md.IndexOf("## Appendix: raw exchanges", StringComparison.Ordinal);
        Assert.True(evidence < section && section < appendix, $"{evidence} {section} {appendix}");
        Assert.Contains("**Service levels:** p95 latency 1.2 s, errors 0 % over 7 d to the audit's finish (1 request)", md[..evidence], StringComparison.Ordinal);
        Assert.Contains("| the target, 7 d to the audit's finish | 1 | 1.2 s / 1.2 s |", md, StringComparison.Ordinal);
        var levels = JsonDocument.Parse(AuditReports.ToJson(result, context)).RootElement.GetProperty("serviceLevels");
        Assert.Equal(2000, levels.GetProperty("audit").GetProperty("p95LatencyMs").GetDouble());
        Assert.Equal("7d", levels.GetProperty("windows")[0].GetProperty("window").GetString());
        Assert.Equal(1234, levels.GetProperty("windows")[0].GetProperty("figures").GetProperty("p95LatencyMs").GetDouble());
    }

    [Theory]
    [InlineData(0.4, "0 ms")]
    [InlineData(999.4, "999 ms")]
    [InlineData(999.6, "1.0 s")]
    [InlineData(61234, "61.2 s")]
    [InlineData(double.NaN, "no data")]
    public void Durations_read_in_ms_below_a_second_and_s_with_one_decimal_above(double ms, string text) => Assert.Equal(text, ServiceLevelWording.Duration(ms));
}
