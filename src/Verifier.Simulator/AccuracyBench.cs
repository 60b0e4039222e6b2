namespace Verifier.Simulator;

using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;
using Verifier.Targets.Http;

/// <summary>One simulated audit scored against its scenario's truth label.</summary>
public sealed record BenchRow(
    string Scenario, int Repeat, string Claim, string Truth, bool Honest, string Verdict, string? Identified, double ClaimPosterior,
    double TopPosterior, int Requests, long PromptTokens, long CompletionTokens, bool FalseAccusation, bool MissedSubstitution, bool? ExactVariant, bool? Family,
    bool Logprobs);

public sealed record BenchTotals(
    int Audits, double ExactVariantAccuracy, int ExactVariantScored, double FamilyAccuracy, int FalseAccusations, int HonestAudits,
    int MissedSubstitutions, int SubstitutionAudits, double InconclusiveRate, double MedianRequests, double P95Requests, double MedianTokens, double P95Tokens)
{
    /// <summary>Honest audits that ended consistent / honest audits, on stacks that return logprobs and on those that do not.</summary>
    public (int Consistent, int Of, double MedianRequests) HonestWithLogprobs { get; init; }

    public (int Consistent, int Of, double MedianRequests) HonestWithoutLogprobs { get; init; }
}

/// <summary>
/// SIMULATION. Runs full audits against simulated vendors and scores the verdicts: the accuracy bench. Reference
/// runs can be recorded first from honest simulated deployments of every catalogued variant (what a user does
/// against trusted deployments).
/// </summary>
public static class AccuracyBench
{
    public static readonly ClientOptions FastClient = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), AttemptTimeout = TimeSpan.FromSeconds(3) };

    /// <summary>Reference runs of each variant at its native precision (and of any further builds), recorded from honest simulated vendors.</summary>
    public static async Task<IReadOnlyList<ReferenceRun>> RecordReferencesAsync(int runs, int seed, IProgress<string>? progress, CancellationToken ct, IReadOnlyList<string>? moreBuilds = null)
    {
        var list = new List<ReferenceRun>();
        using var handler = new SocketsHttpHandler();
        foreach (var b in moreBuilds ?? [])
            if (!b.Contains('@', StringComparison.Ordinal) || !VariantCatalog.Default.IsKnownBuild(b)) throw new ArgumentException($"reference build '{b}' is not a catalogued variant@precision.", nameof(moreBuilds));
        var builds = VariantCatalog.Default.Variants.Select(v => $"{v.Id}@{v.NativePrecision}").Concat(moreBuilds ?? []).Distinct(StringComparer.Ordinal);
        foreach (var build in builds)
        {
            if (!VariantCatalog.Default.TryParseBuild(build, out var v, out _)) throw new InvalidOperationException($"catalog build '{build}' does not parse");
            var scenario = new Scenario($"reference {build}", build, [new ServedShare(build)], new Expectation(true, v.Id), Seed: seed + list.Count);
            await using var vendor = await SimulatedVendor.StartAsync(scenario);
            list.Add(await ReferenceRecording.RecordAsync(build, new TargetEndpoint(vendor.BaseUrl, "deepseek-r1", TargetDialect.Vllm), ProbeSuite.Default, runs, seed, handler, FastClient, null, ct));
            progress?.Report($"reference {build}: {list[^1].Cells.Sum(c => c.Counts.Values.Sum())} outcomes");
        }
        return list;
    }

    /// <summary>One audit of the scenario (seeded by <paramref name="repeat"/>), scored; the full result is kept for its report.</summary>
    public static async Task<(BenchRow Row, AuditResult Result)> RunAsync(Scenario scenario, int repeat, IReadOnlyList<ReferenceRun> references, AuditBudget budget, CancellationToken ct,
        IProgress<AuditProgress>? progress = null)
    {
        var s = scenario with { Seed = scenario.Seed + repeat * 1000 };
        await using var vendor = await SimulatedVendor.StartAsync(s);
        using var handler = new SocketsHttpHandler();
        var plan = ProbeSuite.Default.Plan(s.ClaimedVariant, budget, s.Seed * 31 + repeat) with { References = references, Progress = progress };
        var endpoint = new TargetEndpoint(vendor.BaseUrl, (s.Claims ?? new Claims()).Model, Dialects.Parse(s.Dialect));
        var result = await new HttpTarget(handler, endpoint, FastClient).RunAsync(plan, ct);
        return (Score(s, repeat, result), result);
    }

    public static BenchRow Score(Scenario s, int repeat, AuditResult result)
    {
        var v = result.Verdict;
        var expect = s.Expect;
        var identified = v.Kind == VerdictKind.Consistent ? Base(s.ClaimedVariant) : v.MostLikely;
        var truth = expect.Variant ?? s.Truth[0].Variant;
        bool? exact = expect.Mixture || OutsideModels.IsOutside(truth) ? null : identified is not null && Base(identified) == Base(truth);
        var family = expect.Family ?? FamilyOf(truth);
        bool? familyOk = expect.Mixture || family is null ? null : identified is not null && FamilyOf(identified) == family;
        if (OutsideModels.IsOutside(truth)) familyOk = identified == "unknown";
        var top = v.VariantPosterior.Count > 0 ? v.VariantPosterior[0].Posterior : v.ClaimPosterior;
        return new BenchRow(s.Name, repeat, s.ClaimedVariant, expect.Mixture ? "mixture" : truth, expect.Honest, v.Kind.ToString().ToLowerInvariant(), identified,
            v.ClaimPosterior, top, result.DecidedAfterRequests ?? result.Cost.Requests, result.Cost.PromptTokens, result.Cost.CompletionTokens,
            expect.Honest && v.Kind == VerdictKind.Mismatch, !expect.Honest && v.Kind != VerdictKind.Mismatch, exact, familyOk, s.ReturnsLogprobs);
    }

    public static BenchTotals Totals(IReadOnlyList<BenchRow> rows)
    {
        static double Percentile(IEnumerable<double> values, double p)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];
        }
        var exact = rows.Where(r => r.ExactVariant is not null).ToList();
        var family = rows.Where(r => r.Family is not null).ToList();
        var tokens = rows.Select(r => (double)(r.PromptTokens + r.CompletionTokens)).ToList();
        (int, int, double) Honest(bool logprobs)
        {
            var honest = rows.Where(r => r.Honest && r.Logprobs == logprobs).ToList();
            var consistent = honest.Where(r => r.Verdict == "consistent").ToList();
            return (consistent.Count, honest.Count, Percentile(consistent.Select(r => (double)r.Requests), 0.5));
        }
        return new BenchTotals(
            rows.Count,
            exact.Count == 0 ? double.NaN : exact.Count(r => r.ExactVariant == true) / (double)exact.Count, exact.Count,
            family.Count == 0 ? double.NaN : family.Count(r => r.Family == true) / (double)family.Count,
            rows.Count(r => r.FalseAccusation), rows.Count(r => r.Honest),
            rows.Count(r => r.MissedSubstitution), rows.Count(r => !r.Honest),
            rows.Count == 0 ? double.NaN : rows.Count(r => r.Verdict == "inconclusive") / (double)rows.Count,
            Percentile(rows.Select(r => (double)r.Requests), 0.5), Percentile(rows.Select(r => (double)r.Requests), 0.95),
            Percentile(tokens, 0.5), Percentile(tokens, 0.95))
        {
            HonestWithLogprobs = Honest(true),
            HonestWithoutLogprobs = Honest(false),
        };
    }

    private static string Base(string build) => build.Split('@')[0];

    private static string? FamilyOf(string id) =>
        OutsideModels.IsOutside(id) ? "outside" : VariantCatalog.Default.Find(Base(id))?.Tokenizer;
}
