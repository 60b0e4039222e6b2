namespace Verifier.Core.Reports;

using System.Globalization;

/// <summary>A run of text in a report: plain, <c>code</c> or <b>strong</b>.</summary>
public sealed record Span(string Text, SpanStyle Style = SpanStyle.Plain);

public enum SpanStyle { Plain, Code, Strong }

/// <summary>A block of a report: a heading, a banner, a bullet list (each item a line of spans) or a table.</summary>
public abstract record Block;

public sealed record Heading(int Level, string Text) : Block;

public sealed record Banner(string Text) : Block;

public sealed record Bullets(IReadOnlyList<IReadOnlyList<Span>> Items) : Block;

public sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<IReadOnlyList<Span>>> Rows) : Block;

/// <summary>
/// What a human-readable report says, in order, decided once; <see cref="AuditReports"/> only renders it as Markdown
/// or HTML, so the two cannot drift apart.
/// </summary>
public static class ReportDocument
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<Block> From(ReportModel m)
    {
        var blocks = new List<Block>();
        if (m.Banner is not null) blocks.Add(new Banner(m.Banner));
        blocks.Add(new Heading(1, "Audit " + m.AuditId));
        var summary = new List<IReadOnlyList<Span>>
        {
            Line(new Span("Target: "), new Span(m.Target)),
            Line(new Span("Claimed variant: "), new Span(m.ClaimedVariant, SpanStyle.Code)),
            m.MostLikely is null
                ? Line(new Span("Verdict: " + m.Verdict, SpanStyle.Strong))
                : Line(new Span("Verdict: " + m.Verdict, SpanStyle.Strong), new Span(" — most likely "), new Span(m.MostLikely, SpanStyle.Code)),
            Line(new Span($"Claim posterior: {P(m.ClaimPosterior)} (consistent ≥ {P(m.ConsistentThreshold)}, mismatch ≤ {P(m.MismatchThreshold)})")),
            Line(new Span($"Designed false-accusation rate: {P(m.DesignedFalseAccusationRate)} per audit of an honest vendor")),
            Line(new Span(m.Summary)),
        };
        if (m.Quality is { } quality) summary.Add(Line(new Span(quality)));
        summary.Add(Line(new Span($"Generated: {m.GeneratedAt.ToString("u", Inv)}; stopped: {m.StopReason ?? "-"}")));
        blocks.Add(new Bullets(summary));

        blocks.Add(new Heading(2, "Posterior"));
        blocks.Add(new Table(["Hypothesis", "Posterior"], m.VariantPosterior.Select(h => Row(h.Hypothesis, P(h.Posterior))).ToList()));
        blocks.Add(new Heading(3, "Top builds"));
        blocks.Add(new Table(["Build / mixture", "Posterior"], m.TopHypotheses.Select(h => Row(h.Hypothesis, P(h.Posterior))).ToList()));

        blocks.Add(new Heading(2, "Evidence"));
        blocks.Add(new Table(["#", "Probe", "Category", "Tier", "Outcome", "Observed", "Weighing", "log L (claim)", "log L (most likely)", "Exchanges"],
            m.Evidence.Select((e, i) => Row((i + 1).ToString(Inv), e.ProbeId, e.Category, e.Tier ?? "", e.Outcome ?? "", Short(e.Observed), e.Weighing ?? "",
                L(e.ClaimLogLikelihood), L(e.TopLogLikelihood), string.Join(", ", e.ExchangeSequences))).ToList()));

        blocks.Add(new Heading(2, "Cost"));
        blocks.Add(new Bullets(
        [
            Line(new Span($"Requests: {m.Cost.Requests}")), Line(new Span($"Prompt tokens: {m.Cost.PromptTokens}")),
            Line(new Span($"Completion tokens: {m.Cost.CompletionTokens}")), Line(new Span($"Wall time: {m.Cost.WallTime.TotalSeconds.ToString("0.0", Inv)} s")),
        ]));

        blocks.Add(new Heading(2, "Suite and references"));
        var references = m.ReferenceRunsUsed.Count == 0
            ? Line(new Span("Reference runs used: none (capability pass rates from published scores only, weak prior)"))
            : Line([new Span("Reference runs used: "), .. m.ReferenceRunsUsed.SelectMany((r, i) => i == 0 ? [new Span(r, SpanStyle.Code)] : new[] { new Span(", "), new Span(r, SpanStyle.Code) })]);
        blocks.Add(new Bullets([Line(new Span($"Suite: {m.SuiteVersion} (hash "), new Span(m.SuiteHash, SpanStyle.Code), new Span(")")), references]));
        return blocks;
    }

    private static Span[] Line(params Span[] spans) => spans;

    private static List<IReadOnlyList<Span>> Row(params string[] cells) => cells.Select(c => (IReadOnlyList<Span>)[new Span(c)]).ToList();

    private static string P(double p) => p is > 0 and < 1e-3 ? p.ToString("0.###E+0", Inv) : p.ToString("0.######", Inv);

    private static string L(double? l) => l is null ? "" : l.Value.ToString("0.###", Inv);

    private static string Short(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
