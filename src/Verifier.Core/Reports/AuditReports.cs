namespace Verifier.Core.Reports;

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Verifier.Core.Audits;

/// <summary>Renders an audit result as JSON (machine), Markdown and HTML (people). HTML encodes every value it prints.</summary>
public static class AuditReports
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string ToJson(AuditResult result, ReportContext context) => JsonSerializer.Serialize(ReportModel.From(result, context), Json);

    public static string ToMarkdown(AuditResult result, ReportContext context)
    {
        var m = ReportModel.From(result, context);
        var s = new StringBuilder();
        if (m.Banner is not null) s.Append("> **").Append(Md(m.Banner)).Append("**\n\n");
        s.Append("# Audit ").Append(Md(m.AuditId)).Append("\n\n");
        s.Append("- Target: ").Append(Md(m.Target)).Append('\n');
        s.Append("- Claimed variant: `").Append(Code(m.ClaimedVariant)).Append("`\n");
        s.Append("- **Verdict: ").Append(m.Verdict).Append("**").Append(m.MostLikely is null ? "" : $" — most likely `{Code(m.MostLikely)}`").Append('\n');
        s.Append("- Claim posterior: ").Append(P(m.ClaimPosterior)).Append(" (consistent ≥ ").Append(P(m.ConsistentThreshold)).Append(", mismatch ≤ ").Append(P(m.MismatchThreshold)).Append(")\n");
        s.Append("- Designed false-accusation rate: ").Append(P(m.DesignedFalseAccusationRate)).Append(" per audit of an honest vendor\n");
        s.Append("- ").Append(Md(m.Summary)).Append('\n');
        if (m.Quality is { } quality) s.Append("- ").Append(Md(quality)).Append('\n');
        s.Append("- Generated: ").Append(m.GeneratedAt.ToString("u", Inv)).Append("; stopped: ").Append(Md(m.StopReason ?? "-")).Append('\n');
        s.Append("\n## Posterior\n\n| Hypothesis | Posterior |\n|---|---|\n");
        foreach (var h in m.VariantPosterior) s.Append("| ").Append(Md(h.Hypothesis)).Append(" | ").Append(P(h.Posterior)).Append(" |\n");
        s.Append("\nTop builds:\n\n| Build / mixture | Posterior |\n|---|---|\n");
        foreach (var h in m.TopHypotheses) s.Append("| ").Append(Md(h.Hypothesis)).Append(" | ").Append(P(h.Posterior)).Append(" |\n");
        s.Append("\n## Evidence\n\n| # | Probe | Category | Tier | Outcome | Weighing | log L (claim) | log L (most likely) | Exchanges |\n|---|---|---|---|---|---|---|---|---|\n");
        var i = 0;
        foreach (var e in m.Evidence)
            s.Append("| ").Append(++i).Append(" | ").Append(Md(e.ProbeId)).Append(" | ").Append(Md(e.Category)).Append(" | ").Append(Md(e.Tier ?? "")).Append(" | ")
             .Append(Md(e.Outcome ?? "")).Append(" | ").Append(Md(e.Weighing ?? "")).Append(" | ").Append(L(e.ClaimLogLikelihood)).Append(" | ")
             .Append(L(e.TopLogLikelihood)).Append(" | ").Append(string.Join(", ", e.ExchangeSequences)).Append(" |\n");
        s.Append("\n## Cost\n\n- Requests: ").Append(m.Cost.Requests).Append("\n- Prompt tokens: ").Append(m.Cost.PromptTokens)
         .Append("\n- Completion tokens: ").Append(m.Cost.CompletionTokens).Append("\n- Wall time: ").Append(m.Cost.WallTime.TotalSeconds.ToString("0.0", Inv)).Append(" s\n");
        s.Append("\n## Suite and references\n\n- Suite: ").Append(Md(m.SuiteVersion)).Append(" (hash `").Append(Code(m.SuiteHash)).Append("`)\n- Reference runs used: ")
         .Append(m.ReferenceRunsUsed.Count == 0 ? "none (capability pass rates from published scores only, weak prior)" : string.Join(", ", m.ReferenceRunsUsed.Select(r => "`" + Code(r) + "`"))).Append('\n');
        return s.ToString();
    }

    public static string ToHtml(AuditResult result, ReportContext context)
    {
        var m = ReportModel.From(result, context);
        var s = new StringBuilder();
        s.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Audit ").Append(H(m.AuditId)).Append("</title>\n")
         .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}.verdict{font-size:1.3em;font-weight:bold}.banner{background:#fe8;padding:8px}</style></head><body>\n");
        if (m.Banner is not null) s.Append("<p class=\"banner\">").Append(H(m.Banner)).Append("</p>\n");
        s.Append("<h1>Audit ").Append(H(m.AuditId)).Append("</h1>\n<ul>\n");
        s.Append("<li>Target: ").Append(H(m.Target)).Append("</li>\n<li>Claimed variant: <code>").Append(H(m.ClaimedVariant)).Append("</code></li>\n");
        s.Append("<li class=\"verdict\">Verdict: ").Append(H(m.Verdict)).Append(m.MostLikely is null ? "" : " — most likely <code>" + H(m.MostLikely) + "</code>").Append("</li>\n");
        s.Append("<li>Claim posterior: ").Append(H(P(m.ClaimPosterior))).Append(" (consistent ≥ ").Append(H(P(m.ConsistentThreshold))).Append(", mismatch ≤ ").Append(H(P(m.MismatchThreshold))).Append(")</li>\n");
        s.Append("<li>Designed false-accusation rate: ").Append(H(P(m.DesignedFalseAccusationRate))).Append(" per audit of an honest vendor</li>\n");
        if (m.Quality is { } quality) s.Append("<li>").Append(H(quality)).Append("</li>\n");
        s.Append("<li>").Append(H(m.Summary)).Append("</li>\n<li>Stopped: ").Append(H(m.StopReason ?? "-")).Append("</li>\n</ul>\n");
        s.Append("<h2>Posterior</h2>\n<table><tr><th>Hypothesis</th><th>Posterior</th></tr>\n");
        foreach (var h in m.VariantPosterior) s.Append("<tr><td>").Append(H(h.Hypothesis)).Append("</td><td>").Append(H(P(h.Posterior))).Append("</td></tr>\n");
        s.Append("</table>\n<h3>Top builds</h3>\n<table><tr><th>Build / mixture</th><th>Posterior</th></tr>\n");
        foreach (var h in m.TopHypotheses) s.Append("<tr><td>").Append(H(h.Hypothesis)).Append("</td><td>").Append(H(P(h.Posterior))).Append("</td></tr>\n");
        s.Append("</table>\n<h2>Evidence</h2>\n<table><tr><th>#</th><th>Probe</th><th>Category</th><th>Tier</th><th>Outcome</th><th>Observed</th><th>Weighing</th><th>log L (claim)</th><th>log L (most likely)</th><th>Exchanges</th></tr>\n");
        var i = 0;
        foreach (var e in m.Evidence)
            s.Append("<tr><td>").Append(++i).Append("</td><td>").Append(H(e.ProbeId)).Append("</td><td>").Append(H(e.Category)).Append("</td><td>").Append(H(e.Tier ?? ""))
             .Append("</td><td>").Append(H(e.Outcome ?? "")).Append("</td><td>").Append(H(Short(e.Observed))).Append("</td><td>").Append(H(e.Weighing ?? ""))
             .Append("</td><td>").Append(H(L(e.ClaimLogLikelihood))).Append("</td><td>").Append(H(L(e.TopLogLikelihood))).Append("</td><td>")
             .Append(H(string.Join(", ", e.ExchangeSequences))).Append("</td></tr>\n");
        s.Append("</table>\n<h2>Cost</h2>\n<ul><li>Requests: ").Append(m.Cost.Requests).Append("</li><li>Prompt tokens: ").Append(m.Cost.PromptTokens)
         .Append("</li><li>Completion tokens: ").Append(m.Cost.CompletionTokens).Append("</li><li>Wall time: ").Append(H(m.Cost.WallTime.TotalSeconds.ToString("0.0", Inv))).Append(" s</li></ul>\n");
        s.Append("<h2>Suite and references</h2>\n<ul><li>Suite: ").Append(H(m.SuiteVersion)).Append(" (hash <code>").Append(H(m.SuiteHash)).Append("</code>)</li><li>Reference runs used: ")
         .Append(m.ReferenceRunsUsed.Count == 0 ? "none (capability pass rates from published scores only, weak prior)" : H(string.Join(", ", m.ReferenceRunsUsed))).Append("</li></ul>\n</body></html>\n");
        return s.ToString();
    }

    private static string H(string s) => WebUtility.HtmlEncode(s);
    private static string Md(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
    private static string Code(string s) => s.Replace("`", "'", StringComparison.Ordinal);
    private static string P(double p) => p is > 0 and < 1e-3 ? p.ToString("0.###E+0", Inv) : p.ToString("0.######", Inv);
    private static string L(double? l) => l is null ? "" : l.Value.ToString("0.###", Inv);
    private static string Short(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
