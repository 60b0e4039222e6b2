namespace Verifier.Core.Reports;

using System.Globalization;

/// <summary>A run of text in a report: plain, <c>code</c>, <b>strong</b>, or a label (the words before a value).</summary>
public sealed record Span(string Text, SpanStyle Style = SpanStyle.Plain);

public enum SpanStyle { Plain, Code, Strong, Label }

/// <summary>A block of a report: a heading, a banner, a bullet list (each item a line of spans), a table or preformatted text.</summary>
public abstract record Block;

public sealed record Heading(int Level, string Text) : Block;

public sealed record Banner(string Text) : Block;

public sealed record Bullets(IReadOnlyList<IReadOnlyList<Span>> Items) : Block;

public sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<IReadOnlyList<Span>>> Rows) : Block;

public sealed record Preformatted(string Text) : Block;

/// <summary>
/// The Markdown report's content, in order, from the <see cref="ReportModel"/>: the first page (verdict, claim, finding,
/// certainty, dates, target, suite, references, audit-log anchor, sign-off), the evidence in plain words, the
/// probabilities, the cost, the service levels, the raw-exchange appendix. The HTML template (Verifier.Service/Reports) prints the same
/// values in the same order; a test holds the two together.
/// </summary>
public static class ReportDocument
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<Block> From(ReportModel m)
    {
        var s = m.Statement;
        var blocks = new List<Block>();
        if (m.Banner is not null) blocks.Add(new Banner(m.Banner));
        blocks.Add(new Heading(1, "Audit report"));
        var verdict = new List<IReadOnlyList<Span>>
        {
            Line(new Span(s.Headline, SpanStyle.Strong)),
            Line(Label("Claimed: "), new Span(s.Claimed), new Span(" "), new Span(m.Claim, SpanStyle.Code)),
            Line(Label("Found: "), new Span(s.Found), new Span(" ("), new Span(s.FoundProbability), new Span(")")),
        };
        if (s.FoundBuild is not null) verdict.Add(Line(Label("Most likely build: "), new Span(s.FoundBuild)));
        verdict.Add(Line(Label("Probability of the claim: "), new Span(s.ClaimProbability)));
        verdict.Add(Line(Label("What this means: "), new Span(s.Certainty)));
        verdict.Add(Line(Label("False accusations: "), new Span(s.FalseAccusation)));
        if (s.Quality is not null) verdict.Add(Line(Label("Service quality: "), new Span(s.Quality)));
        if (m.ServiceLevels is { } sl) verdict.Add(Line(Label("Service levels: "), new Span(ServiceLevelWording.Summary(sl))));
        blocks.Add(new Bullets(verdict));

        blocks.Add(new Heading(2, "Audit"));
        var facts = new List<IReadOnlyList<Span>>
        {
            Line(Label("Audit: "), new Span(m.AuditId, SpanStyle.Code)),
            Line(Label("Target: "), new Span(m.Target)),
        };
        if (m.Endpoint is not null) facts.Add(Line(Label("Endpoint: "), new Span(m.Endpoint, SpanStyle.Code)));
        if (m.Model is not null) facts.Add(Line(Label("Model: "), new Span(m.Model, SpanStyle.Code)));
        facts.Add(Line(Label("Requested: "), new Span(Statements.Time(m.RequestedAt))));
        facts.Add(Line(Label("Started: "), new Span(Statements.Time(m.StartedAt))));
        facts.Add(Line(Label("Finished: "), new Span(Statements.Time(m.FinishedAt))));
        facts.Add(Line(Label("Suite: "), new Span(m.SuiteVersion), new Span(" "), new Span(m.SuiteHash, SpanStyle.Code)));
        facts.Add(m.ReferenceRunsUsed.Count == 0
            ? Line(Label("Reference runs used: "), new Span(NoReferences))
            : Line([Label("Reference runs used: "), .. m.ReferenceRunsUsed.SelectMany((r, i) => i == 0 ? [new Span(r, SpanStyle.Code)] : new[] { new Span(", "), new Span(r, SpanStyle.Code) })]));
        facts.Add(m.Anchor is { } a
            ? Line(Label("Audit-log anchor: "), new Span(AnchorText(a)), new Span(" "), new Span(a.Hash, SpanStyle.Code), new Span(" "), new Span(DigestText), new Span(" "), new Span(a.VerdictDigest ?? "—", SpanStyle.Code))
            : Line(Label("Audit-log anchor: "), new Span(NoAnchor)));
        facts.Add(Line(Label("Stopped: "), new Span(m.StopReason ?? "—")));
        facts.Add(Line(Label("Generated: "), new Span(Statements.Time(m.GeneratedAt))));
        blocks.Add(new Bullets(facts));

        blocks.Add(new Heading(2, "Sign-off"));
        blocks.Add(new Bullets([Line(Label("Reviewed by (name, role): "), new Span(SignLine)), Line(Label("Signature: "), new Span(SignLine)), Line(Label("Date: "), new Span(SignLine))]));

        blocks.Add(new Heading(2, "Evidence in plain words"));
        blocks.Add(new Table(["#", "What was tested, what was seen, how it counted", "Exchanges"],
            m.Evidence.Select((e, i) => Row((i + 1).ToString(Inv), e.Explanation, string.Join(", ", e.ExchangeSequences.Select(x => "#" + x.ToString(Inv))))).ToList()));

        blocks.Add(new Heading(2, "Probabilities"));
        blocks.Add(new Table(["Model", "Probability"], m.VariantPosterior.Select(h => Row(ReportWording.Hypothesis(h.Hypothesis), ReportWording.Percent(h.Posterior))).ToList()));
        blocks.Add(new Table(["Build or mix", "Probability"], m.TopHypotheses.Select(h => Row(ReportWording.Hypothesis(h.Hypothesis), ReportWording.Percent(h.Posterior))).ToList()));

        blocks.Add(new Heading(2, "Cost"));
        blocks.Add(new Bullets([Line(new Span(CostText(m.Cost)))]));

        if (m.ServiceLevels is { } levels)
        {
            blocks.Add(new Heading(2, "Service levels"));
            blocks.Add(new Bullets([Line(new Span(ServiceLevelWording.Note))]));
            blocks.Add(new Table(ServiceLevelWording.Header, ServiceLevelWording.Rows(levels).Select(r => Row(r)).ToList()));
        }

        blocks.Add(new Heading(2, "Appendix: raw exchanges"));
        blocks.Add(new Bullets([Line(new Span(AppendixNote(m)))]));
        foreach (var x in m.Exchanges)
        {
            blocks.Add(new Heading(3, ExchangeTitle(x)));
            blocks.Add(new Bullets([Line(new Span(ExchangeFacts(x)))]));
            if (x.Pruned) continue;
            blocks.Add(new Bullets([Line(Label("Prompt:"))]));
            blocks.Add(new Preformatted(x.Prompt.Length == 0 ? "(no body)" : x.Prompt));
            blocks.Add(new Bullets([Line(Label("Response:"))]));
            blocks.Add(new Preformatted(x.Response.Length == 0 ? "(no body)" : x.Response));
        }
        return blocks;
    }

    public const string NoReferences = "none — capability pass rates from published scores only (a weak prior)";
    public const string NoAnchor = "not stored (this audit was not written to an audit log)";
    public const string DigestText = "verdict digest";
    public const string SignLine = "________________________________";

    public static string AnchorText(LogAnchor a) => $"entry #{a.Seq.ToString(Inv)} (verdict.stored), hash";

    public static string CostText(Audits.AuditCost c) =>
        $"{c.Requests.ToString(Inv)} requests, {c.PromptTokens.ToString("N0", Inv)} prompt and {c.CompletionTokens.ToString("N0", Inv)} completion tokens, {c.WallTime.TotalSeconds.ToString("0.0", Inv)} s.";

    public static string AppendixNote(ReportModel m) => m.BodiesPrunedAt is { } at
        ? $"The request and response bodies were removed by retention on {Statements.Time(at)}; what each exchange was (time, status, duration, usage) is kept. Credentials are never shown."
        : $"{m.Exchanges.Count.ToString(Inv)} exchanges, each as sent and received (prompt and reply text; long texts cut). Credentials are never shown.";

    public static string ExchangeTitle(ExchangeEntry x) => $"#{x.Seq.ToString(Inv)} {x.ProbeId}";

    public static string ExchangeFacts(ExchangeEntry x)
    {
        var parts = new List<string>
        {
            Statements.Time(x.StartedAt),
            x.StatusCode is { } code ? "HTTP " + code.ToString(Inv) : "no HTTP status",
            x.Outcome + (x.Error is null ? "" : " (" + x.Error + ")"),
            x.DurationMs.ToString("0", Inv) + " ms",
            "TTFT " + (x.TtftMs is { } t ? t.ToString("0", Inv) + " ms" : "—"),
            $"usage {Count(x.PromptTokens)} prompt / {Count(x.CompletionTokens)} completion" + (x.ReasoningTokens is { } r ? $" / {r.ToString(Inv)} reasoning" : "") + " tokens",
        };
        if (x.Attempt > 1) parts.Add("attempt " + x.Attempt.ToString(Inv));
        if (x.Pruned) parts.Add("bodies pruned");
        return string.Join(" · ", parts);
    }

    private static string Count(int? n) => n?.ToString(Inv) ?? "—";

    private static Span Label(string text) => new(text, SpanStyle.Label);

    private static Span[] Line(params Span[] spans) => spans;

    private static List<IReadOnlyList<Span>> Row(params string[] cells) => cells.Select(c => (IReadOnlyList<Span>)[new Span(c)]).ToList();
}
