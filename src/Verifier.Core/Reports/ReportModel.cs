namespace Verifier.Core.Reports;

using System.Globalization;
using Verifier.Core.Audits;
using Verifier.Core.Exchanges;

/// <summary>Context a report prints besides the result (the result itself does not know its id, target or dates).</summary>
public sealed record ReportContext(string AuditId, string Target, DateTimeOffset GeneratedAt, int TopHypotheses = 10)
{
    /// <summary>Marks reports of simulated vendors ("SIMULATION") in every format.</summary>
    public string? Banner { get; init; }

    /// <summary>The claim as made ("deepseek-r1@fp8"); the verdict's claimed variant when absent.</summary>
    public string? Claim { get; init; }

    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The audit-log entry that binds the stored verdict (null: not stored, e.g. `verifier audit` without a database).</summary>
    public LogAnchor? Anchor { get; init; }

    /// <summary>When retention emptied the audit's raw bodies (the appendix then shows metadata only).</summary>
    public DateTimeOffset? BodiesPrunedAt { get; init; }

    /// <summary>Characters of prompt and response text the appendix keeps per exchange.</summary>
    public int MaxExchangeText { get; init; } = 4000;

    /// <summary>The target's SLA figures over windows ending at the audit's finish (served reports; empty for `verifier audit --out`).</summary>
    public IReadOnlyList<TargetWindow> SlaWindows { get; init; } = [];
}

/// <summary>The `verdict.stored` audit-log entry of an audit: its sequence number, its chain hash, and the verdict digest it carries.</summary>
public sealed record LogAnchor(long Seq, string Hash, string? VerdictDigest);

/// <summary>One evidence row as reports show it: what was observed, how it was weighed, which exchanges are behind it.</summary>
public sealed record EvidenceRow(
    string ProbeId, string Category, string? Tier, string? Outcome, string Observed, string? Weighing,
    IReadOnlyList<int> ExchangeSequences, double? ClaimLogLikelihood, double? TopLogLikelihood)
{
    /// <summary>The row in plain words (<see cref="ReportWording.Evidence"/>).</summary>
    public string Explanation { get; init; } = "";
}

/// <summary>The first page in plain words: what a compliance officer reads and signs.</summary>
public sealed record ReportStatement(
    string Tone, string Headline, string Claimed, string Found, string FoundProbability, string? FoundBuild, string ClaimProbability,
    string Certainty, string FalseAccusation, string? Quality);

/// <summary>One raw exchange in the appendix: metadata, and the prompt and reply as text (empty once pruned).</summary>
public sealed record ExchangeEntry(
    int Seq, string ProbeId, int Attempt, DateTimeOffset StartedAt, int? StatusCode, string Outcome, string? Error, double DurationMs, double? TtftMs,
    int? PromptTokens, int? CompletionTokens, int? ReasoningTokens, string Prompt, string Response, bool Pruned);

/// <summary>The report's content, shared by the JSON, Markdown and HTML renderings.</summary>
public sealed record ReportModel(
    string AuditId,
    string Target,
    DateTimeOffset GeneratedAt,
    string? Banner,
    string Verdict,
    string ClaimedVariant,
    string? MostLikely,
    string? MostLikelyBuild,
    double ClaimPosterior,
    double ConsistentThreshold,
    double MismatchThreshold,
    double DesignedFalseAccusationRate,
    string Summary,
    IReadOnlyList<HypothesisScore> VariantPosterior,
    IReadOnlyList<HypothesisScore> TopHypotheses,
    IReadOnlyList<EvidenceRow> Evidence,
    AuditCost Cost,
    string SuiteVersion,
    string SuiteHash,
    IReadOnlyList<string> ReferenceRunsUsed,
    string? StopReason,
    int? DecidedAfterRequests)
{
    /// <summary>The service-quality verdict (capability vs the claimed variant's reference).</summary>
    public string? Quality { get; init; }

    /// <summary>"asreference", "degraded" or "insufficient".</summary>
    public string? QualityStatus { get; init; }

    public string Claim { get; init; } = ClaimedVariant;
    public string? Endpoint { get; init; }
    public string? Model { get; init; }
    public DateTimeOffset? RequestedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public LogAnchor? Anchor { get; init; }

    /// <summary>Why no response could be weighed at all ("every request failed: …").</summary>
    public string? Error { get; init; }

    public ReportStatement Statement { get; init; } = null!;
    public IReadOnlyList<ExchangeEntry> Exchanges { get; init; } = [];
    public DateTimeOffset? BodiesPrunedAt { get; init; }

    /// <summary>Latency, TTFT, tokens/s and error rates: the audit's own exchanges and the target's windows.</summary>
    public ServiceLevels? ServiceLevels { get; init; }

    public static ReportModel From(AuditResult r, ReportContext c)
    {
        var v = r.Verdict;
        var claimKeys = v.Posterior.Where(p => p.Hypothesis.StartsWith(v.ClaimedVariant + "@", StringComparison.Ordinal)).Select(p => p.Hypothesis).ToList();
        var claimTop = claimKeys.FirstOrDefault();
        var evidence = r.Evidence.Select(e => new EvidenceRow(e.ProbeId, e.Category, e.Tier, e.OutcomeKey, e.Observed, e.Weighing, e.ExchangeSequences,
            claimTop is not null && e.LogLikelihoods.TryGetValue(claimTop, out var cl) ? cl : null,
            v.MostLikelyBuild is not null && e.LogLikelihoods.TryGetValue(v.MostLikelyBuild, out var tl) ? tl : null)
        { Explanation = ReportWording.Evidence(e.Category, e.Tier, e.OutcomeKey, e.Observed, e.Weighing) }).ToList();
        var pruned = c.BodiesPrunedAt is not null;
        var exchanges = r.Exchanges.Select(x => new ExchangeEntry(x.Sequence, x.ProbeId, x.Attempt, x.StartedAt, x.StatusCode, x.Outcome.ToString(), x.Error,
            x.Duration.TotalMilliseconds, x.TimeToFirstToken?.TotalMilliseconds, x.Usage?.PromptTokens, x.Usage?.CompletionTokens, x.Usage?.ReasoningTokens,
            pruned ? "" : ReportWording.Trim(ExchangeText.Prompt(x.RequestBody), c.MaxExchangeText),
            pruned ? "" : ReportWording.Trim(ExchangeText.Response(x.ResponseBody), c.MaxExchangeText), pruned)).ToList();
        var model = new ReportModel(c.AuditId, c.Target, c.GeneratedAt, c.Banner, v.Kind.ToString().ToLowerInvariant(), v.ClaimedVariant, v.MostLikely, v.MostLikelyBuild,
            v.ClaimPosterior, v.Threshold, v.MismatchThreshold, v.DesignedFalseAccusationRate, v.Summary,
            v.VariantPosterior.Take(c.TopHypotheses).ToList(), v.Posterior.Take(c.TopHypotheses).ToList(), evidence, r.Cost,
            r.SuiteVersion, r.SuiteHash, r.ReferenceRunsUsed, r.StopReason, r.DecidedAfterRequests)
        {
            Quality = r.Quality?.Summary, QualityStatus = r.Quality is { } q ? StoredNames.Of(q.Status) : null,
            Claim = c.Claim ?? v.ClaimedVariant, Endpoint = c.Endpoint, Model = c.Model,
            RequestedAt = c.RequestedAt, StartedAt = c.StartedAt, FinishedAt = c.FinishedAt, Anchor = c.Anchor, Error = r.Error,
            Exchanges = exchanges, BodiesPrunedAt = c.BodiesPrunedAt,
            ServiceLevels = ServiceLevels.Of(r.Exchanges, c.SlaWindows, c.StartedAt ?? c.GeneratedAt),
        };
        return model with { Statement = Statements.Of(model) };
    }
}

/// <summary>The first page's sentences, decided from the model's numbers.</summary>
public static class Statements
{
    public static ReportStatement Of(ReportModel m)
    {
        var claimParts = m.Claim.Split('@');
        var claimed = ReportWording.Hypothesis(claimParts[0]) + (claimParts.Length == 2 ? $", at precision {claimParts[1]}" : ", any precision");
        var variantTop = m.VariantPosterior.Count > 0 ? m.VariantPosterior[0] : null;
        var buildTop = m.TopHypotheses.Count > 0 ? m.TopHypotheses[0] : null;
        var precisionMismatch = m.Verdict == "mismatch" && m.MostLikely is { } ml && ml.Contains('@', StringComparison.Ordinal) && ml.Split('@')[0] == m.ClaimedVariant;
        var headline = m.Verdict switch
        {
            "consistent" => "CONSISTENT — the endpoint behaves as the claimed model",
            "mismatch" when precisionMismatch => "MISMATCH OF PRECISION — the claimed model, but a lower-precision build than claimed",
            "mismatch" => "MISMATCH — the endpoint is not the claimed model",
            _ => "INCONCLUSIVE — the evidence does not settle the claim",
        };
        var p = ReportWording.Percent(m.ClaimPosterior);
        string consistentBar = ReportWording.Threshold(m.ConsistentThreshold), mismatchBar = ReportWording.Threshold(m.MismatchThreshold);
        var oneIn = ReportWording.OneIn(m.DesignedFalseAccusationRate);
        var certainty = m.Verdict switch
        {
            "consistent" => $"The evidence gives the claimed model a probability of {p}, at or above the {consistentBar} required to call the audit consistent.",
            "mismatch" => $"The evidence gives the claimed model a probability of {p}, below the {mismatchBar} under which a mismatch is declared.",
            _ => $"The claimed model's probability ({p}) lies between the mismatch bar ({mismatchBar}) and the consistent bar ({consistentBar}): "
                + "the evidence supports neither conclusion with the certainty required. A larger budget or a reference run of the claimed model may settle it.",
        };
        if (m.Error is { } error) certainty = $"No response could be weighed: {error}. " + certainty;
        var falseAccusation = $"The mismatch bar is set so that an honest vendor is accused in at most {oneIn} (designed false-accusation rate {ReportWording.Threshold(m.DesignedFalseAccusationRate)}).";
        var found = m.MostLikely is null ? "nothing identified" : ReportWording.Hypothesis(m.MostLikely);
        var foundProbability = m.MostLikely is null ? "—" : ReportWording.Percent(
            m.VariantPosterior.Concat(m.TopHypotheses).FirstOrDefault(h => h.Hypothesis == m.MostLikely)?.Posterior ?? variantTop?.Posterior ?? 0);
        var foundBuild = buildTop is null ? null : $"{ReportWording.Hypothesis(buildTop.Hypothesis)} ({ReportWording.Percent(buildTop.Posterior)})";
        var quality = m.QualityStatus switch
        {
            "asreference" => "As the reference — " + m.Quality,
            "degraded" => "DEGRADED — " + m.Quality,
            "insufficient" => m.Quality,
            _ => null,
        };
        var tone = m.Verdict is "consistent" or "mismatch" ? m.Verdict : "inconclusive";
        return new ReportStatement(tone, headline, claimed, found, foundProbability, foundBuild, p, certainty, falseAccusation, quality);
    }

    /// <summary>UTC, to the second: "2026-12-03 06:16:10 UTC".</summary>
    public static string Time(DateTimeOffset? t) => t is { } x ? x.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";
}
