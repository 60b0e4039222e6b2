namespace Verifier.Core.Tests.Reports;

using System.Reflection;
using System.Text;
using System.Text.Json;
using Verifier.Core.Audits;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.Reports;
using Verifier.Core.Tests.Audits;

public class AuditReportsTests
{
    private static AuditResult Result(bool withReference = true)
    {
        var plan = Sim.Plan("deepseek-r1", Sim.Candidates(3, 3, 1), 10, withReference ? [Sim.Reference("deepseek-r1", "fp8", 50, new Random(1))] : []);
        return AuditEngine.RunAsync(plan, Sim.Executor([new("r1-distill-qwen-7b", "bf16", 1)], new Random(2))).GetAwaiter().GetResult();
    }

    private static readonly ReportContext Context = new("audit-<b>&1", "vendor \"<script>alert(1)</script>\" | x", DateTimeOffset.UnixEpoch)
    {
        Banner = "SIMULATION", Claim = "deepseek-r1@fp8", Endpoint = "https://vendor.example/v1", Model = "deepseek-r1",
        RequestedAt = DateTimeOffset.UnixEpoch, StartedAt = DateTimeOffset.UnixEpoch.AddSeconds(2), FinishedAt = DateTimeOffset.UnixEpoch.AddMinutes(3),
        Anchor = new LogAnchor(42, "ab12cd", "feed01"),
    };

    [Fact]
    public void Json_report_carries_verdict_posterior_evidence_cost_suite_references_rate_and_the_first_page()
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
        Assert.False(string.IsNullOrEmpty(evidence[0].GetProperty("explanation").GetString()));
        Assert.True(root.GetProperty("variantPosterior").GetArrayLength() <= 10);
        Assert.Equal(result.Verdict.VariantPosterior[0].Hypothesis, root.GetProperty("variantPosterior")[0].GetProperty("hypothesis").GetString());
        var statement = root.GetProperty("statement");
        Assert.Equal("mismatch", statement.GetProperty("tone").GetString());
        Assert.StartsWith("MISMATCH", statement.GetProperty("headline").GetString(), StringComparison.Ordinal);
        Assert.Equal(42, root.GetProperty("anchor").GetProperty("seq").GetInt64());
        Assert.Equal(Context.FinishedAt, root.GetProperty("finishedAt").GetDateTimeOffset());
        Assert.Equal(result.Exchanges.Count, root.GetProperty("exchanges").GetArrayLength());
    }

    [Fact]
    public void Markdown_report_opens_with_a_signable_first_page_in_plain_words()
    {
        var result = Result();
        var md = AuditReports.ToMarkdown(result, Context);
        Assert.StartsWith("> **SIMULATION**", md, StringComparison.Ordinal);
        var firstPage = md[..md.IndexOf("## Evidence in plain words", StringComparison.Ordinal)];
        Assert.Contains("**MISMATCH — the endpoint is not the claimed model**", firstPage, StringComparison.Ordinal);
        Assert.Contains("**Claimed:** DeepSeek-R1 (671B), at precision fp8 `deepseek-r1@fp8`", firstPage, StringComparison.Ordinal);
        Assert.Matches(@"\*\*Found:\*\* DeepSeek-R1-[^ ]+ \(\d+(\.\d+)? %\)", firstPage);
        Assert.Contains("**Probability of the claim:** &lt; 0.01 %", firstPage, StringComparison.Ordinal); // "<" escaped: Markdown allows HTML
        Assert.Contains("an honest vendor is accused in at most 1 audit in 1,000", firstPage, StringComparison.Ordinal);
        Assert.Contains("below the 0.0092 % under which a mismatch is declared", firstPage, StringComparison.Ordinal);
        Assert.Contains("**Requested:** 1970-01-01 00:00:00 UTC", firstPage, StringComparison.Ordinal);
        Assert.Contains("**Finished:** 1970-01-01 00:03:00 UTC", firstPage, StringComparison.Ordinal);
        Assert.Contains("**Audit-log anchor:** entry #42 (verdict.stored), hash `ab12cd` verdict digest `feed01`", firstPage, StringComparison.Ordinal);
        Assert.Contains("test-suite-1 `hash-1`", firstPage, StringComparison.Ordinal);
        Assert.Contains("`ref-deepseek-r1@fp8`", firstPage, StringComparison.Ordinal);
        Assert.Contains("**Signature:** ____", firstPage, StringComparison.Ordinal);
        Assert.Contains("vendor \"&lt;script>alert(1)&lt;/script>\" \\| x", md, StringComparison.Ordinal); // pipes can't break the table
        Assert.DoesNotMatch(@"\d(\.\d+)?E[+-]?\d", md); // never scientific notation
        Assert.Contains("## Appendix: raw exchanges", md, StringComparison.Ordinal);
        foreach (var e in result.Exchanges) Assert.Contains($"### #{e.Sequence} {e.ProbeId}", md, StringComparison.Ordinal);
        Assert.True(md.IndexOf("## Sign-off", StringComparison.Ordinal) < md.IndexOf("## Evidence in plain words", StringComparison.Ordinal));
        Assert.True(md.IndexOf("## Evidence in plain words", StringComparison.Ordinal) < md.IndexOf("## Appendix", StringComparison.Ordinal));
    }

    [Fact]
    public void No_internal_weighing_key_reaches_a_report_and_every_key_and_category_has_words()
    {
        var keys = typeof(Weighings).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains("capability-weak-prior", keys);
        foreach (var key in keys.Where(k => k != Weighings.NotScoredPrefix))
        {
            Assert.True(ReportWording.WeighingSentences.ContainsKey(key), key);
            Assert.DoesNotContain(key, ReportWording.Weighing(key), StringComparison.Ordinal);
        }
        foreach (var category in Enum.GetValues<ProbeCategory>()) Assert.True(ReportWording.CategorySentences.ContainsKey(category), category.ToString());
        Assert.Equal("Did not count: the server delivered no usable response.", ReportWording.Weighing(Weighings.NotScoredPrefix + "target fault (no delivered response)"));

        // a weak-prior audit (no reference runs) and a referenced one: every weighing that occurs is worded, none is printed raw
        foreach (var result in new[] { Result(withReference: false), Result() })
        {
            var md = AuditReports.ToMarkdown(result, Context);
            Assert.All(result.Evidence, e => Assert.Contains(e.Weighing!, keys.Where(k => k != Weighings.NotScoredPrefix).Append(e.Weighing!.StartsWith(Weighings.NotScoredPrefix, StringComparison.Ordinal) ? e.Weighing : "")));
            foreach (var key in keys) Assert.DoesNotContain(key, md, StringComparison.Ordinal);
            foreach (var e in result.Evidence.Where(e => e.OutcomeKey is { Length: > 0 } k && k.Contains(':', StringComparison.Ordinal)))
                Assert.DoesNotContain(e.OutcomeKey!, md, StringComparison.Ordinal);
        }
        Assert.Contains(Result(withReference: false).Evidence, e => e.Weighing == Weighings.CapabilityWeakPrior);
    }

    [Theory]
    [InlineData(0.5, "50 %")]
    [InlineData(0.999, "99.9 %")]
    [InlineData(0.99999, "> 99.99 %")]
    [InlineData(1.0, "100 %")]
    [InlineData(1e-7, "< 0.01 %")]
    [InlineData(0.0, "0 %")]
    [InlineData(0.0123, "1.23 %")]
    public void Probabilities_are_percentages_never_scientific_notation(double p, string expected) => Assert.Equal(expected, ReportWording.Percent(p));

    [Fact]
    public void Thresholds_and_rates_read_as_words()
    {
        Assert.Equal("0.0092 %", ReportWording.Threshold(9.2e-5));
        Assert.Equal("99 %", ReportWording.Threshold(0.99));
        Assert.Equal("0.1 %", ReportWording.Threshold(1e-3));
        Assert.Equal("1 audit in 1,000", ReportWording.OneIn(1e-3));
        Assert.Equal("DeepSeek-R1 (671B) at fp8", ReportWording.Hypothesis("deepseek-r1@fp8"));
        Assert.Equal("a model outside the catalogue", ReportWording.Hypothesis(Hypothesis.UnknownId));
        Assert.Equal("a mix: 20 % of requests answered by DeepSeek-R1-Distill-Qwen-7B at bf16, the rest by DeepSeek-R1 (671B) at fp8",
            ReportWording.Hypothesis(Hypothesis.MixtureId("deepseek-r1@fp8", "r1-distill-qwen-7b@bf16", 0.2)));
        Assert.Equal("The counts match the qwen tokenizer family.", ReportWording.Outcome("family:qwen"));
        Assert.Null(ReportWording.Outcome("some-new-key"));
    }

    [Fact]
    public void The_appendix_shows_prompt_and_reply_text_reassembles_streams_and_cannot_be_broken_out_of()
    {
        var request = Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":"What is 2+2?"}]}""");
        Assert.Equal("[user] What is 2+2?", ExchangeText.Prompt(request));
        var completion = Encoding.UTF8.GetBytes("""{"choices":[{"message":{"role":"assistant","reasoning_content":"think","content":"4"}}]}""");
        Assert.Equal("[reasoning] think\n\n[answer] 4", ExchangeText.Response(completion));
        var stream = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"delta\":{\"content\":\"He\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"llo\"}}]}\n\ndata: [DONE]\n\n");
        Assert.Equal("Hello", ExchangeText.Response(stream));
        Assert.Equal("not json", ExchangeText.Response(Encoding.UTF8.GetBytes("not json")));

        var result = Result();
        var hostile = result.Exchanges[0] with { ResponseBody = Encoding.UTF8.GetBytes("~~~\n# injected heading\n~~~~") };
        var md = AuditReports.ToMarkdown(result with { Exchanges = [hostile, .. result.Exchanges.Skip(1)] }, Context);
        Assert.Contains("~~~~~\n~~~\n# injected heading\n~~~~\n~~~~~", md, StringComparison.Ordinal); // fenced by a longer fence

        var pruned = AuditReports.ToMarkdown(result, Context with { BodiesPrunedAt = DateTimeOffset.UnixEpoch.AddDays(40) });
        Assert.Contains("The request and response bodies were removed by retention on 1970-02-10 00:00:00 UTC", pruned, StringComparison.Ordinal);
        Assert.Contains("bodies pruned", pruned, StringComparison.Ordinal);
        Assert.DoesNotContain("**Prompt:**", pruned, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_quotes_as_rfc_4180_and_defuses_formulas()
    {
        var csv = Csv.Write(["a", "b"], [["plain", "with, comma"], ["say \"hi\"", "two\nlines"], [Csv.Text("=HYPERLINK(1)"), Csv.Number(-0.5)]]);
        Assert.Equal("a,b\r\nplain,\"with, comma\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n'=HYPERLINK(1),-0.5\r\n", csv);
        Assert.Equal("2026-12-03T06:16:10.000Z", Csv.Time(new DateTimeOffset(2026, 12, 3, 7, 16, 10, TimeSpan.FromHours(1))));
    }
}
