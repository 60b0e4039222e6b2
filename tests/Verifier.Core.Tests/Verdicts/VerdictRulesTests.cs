namespace Verifier.Core.Tests.Verdicts;

using System.Collections.Immutable;
using Verifier.Core.Audits;
using Verifier.Core.Evidence;
using Verifier.Core.Tests.Audits;
using Verifier.Core.Verdicts;

/// <summary>The verdict as a pure function of the ledger: thresholds, naming, precision claims and when to stop.</summary>
public class VerdictRulesTests
{
    private static readonly EvidenceOptions Options = EvidenceOptions.Default;

    /// <summary>A ledger whose only evidence is <paramref name="nats"/> of log likelihood for the given hypotheses.</summary>
    private static (EvidenceLedger Ledger, VerdictPolicy Policy) Ledger(string claim, params (string Hypothesis, double Nats)[] evidence)
    {
        var space = HypothesisSpace.Create(Sim.Catalog, claim, Options);
        var det = new double[space.Count];
        foreach (var (h, nats) in evidence) det[space.IndexOf(h)] = nats;
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options) with { Deterministic = det.ToImmutableArray() };
        return (ledger, VerdictPolicy.For(space, Options));
    }

    [Fact]
    public void Without_evidence_the_verdict_is_inconclusive_and_the_audit_goes_on()
    {
        var (ledger, policy) = Ledger("deepseek-r1");
        var verdict = VerdictRules.Decide(ledger, policy);
        Assert.Equal(VerdictKind.Inconclusive, verdict.Kind);
        Assert.Equal(ledger.Space.ClaimPrior, verdict.ClaimPosterior, 9);
        Assert.False(VerdictRules.IsSettled(verdict, policy));
        Assert.StartsWith("Inconclusive", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evidence_for_every_build_of_the_claimed_variant_is_consistent_and_settles()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "r1-distill-qwen-7b", Options);
        var builds = space.Hypotheses.Where(h => h.Kind == HypothesisKind.Build && h.Variant == "r1-distill-qwen-7b").Select(h => (h.Id, 30.0)).ToArray();
        var (ledger, policy) = Ledger("r1-distill-qwen-7b", builds);
        var verdict = VerdictRules.Decide(ledger, policy);
        Assert.Equal(VerdictKind.Consistent, verdict.Kind);
        Assert.Equal("r1-distill-qwen-7b", verdict.MostLikely);
        Assert.True(verdict.ClaimPosterior >= policy.ConsistentThreshold);
        Assert.True(VerdictRules.IsSettled(verdict, policy));
    }

    [Fact]
    public void Evidence_for_another_variant_is_a_mismatch_naming_it()
    {
        var (ledger, policy) = Ledger("deepseek-r1", ("r1-distill-llama-70b@bf16", 40));
        var verdict = VerdictRules.Decide(ledger, policy);
        Assert.Equal(VerdictKind.Mismatch, verdict.Kind);
        Assert.Equal("r1-distill-llama-70b", verdict.MostLikely);
        Assert.Equal("r1-distill-llama-70b@bf16", verdict.MostLikelyBuild);
        Assert.True(verdict.ClaimPosterior <= policy.MismatchBelow);
        Assert.StartsWith("Mismatch:", verdict.Summary, StringComparison.Ordinal);
        Assert.True(VerdictRules.IsSettled(verdict, policy));
    }

    [Fact]
    public void A_mismatch_whose_substitute_is_not_yet_identified_does_not_settle()
    {
        // Two substitutes share the evidence: the claim is refuted, but neither reaches the identify threshold.
        var (ledger, policy) = Ledger("deepseek-r1", ("r1-distill-llama-70b@bf16", 40), ("r1-distill-llama-8b@bf16", 40));
        var verdict = VerdictRules.Decide(ledger, policy);
        Assert.Equal(VerdictKind.Mismatch, verdict.Kind);
        Assert.False(VerdictRules.IsSettled(verdict, policy));
    }

    [Fact]
    public void The_mismatch_threshold_is_crossed_only_by_enough_evidence()
    {
        var (_, policy) = Ledger("deepseek-r1");
        // Just short of the threshold: inconclusive; just past it: mismatch.
        var space = HypothesisSpace.Create(Sim.Catalog, "deepseek-r1", Options);
        var needed = Math.Log((1 - policy.MismatchBelow) / policy.MismatchBelow) - Math.Log(space.ClaimPrior / (1 - space.ClaimPrior));
        Assert.Equal(VerdictKind.Inconclusive, VerdictRules.Decide(Ledger("deepseek-r1", ("unknown", needed - 3)).Ledger, policy).Kind);
        Assert.Equal(VerdictKind.Mismatch, VerdictRules.Decide(Ledger("deepseek-r1", ("unknown", needed + 3)).Ledger, policy).Kind);
    }

    [Fact]
    public void A_four_bit_build_sold_at_bf16_is_a_mismatch_of_precision_naming_the_build()
    {
        var (ledger, policy) = Ledger("r1-distill-qwen-7b@bf16", ("r1-distill-qwen-7b@int4", 40));
        var verdict = VerdictRules.Decide(ledger, policy);
        Assert.Equal(VerdictKind.Mismatch, verdict.Kind);
        Assert.Equal("r1-distill-qwen-7b@int4", verdict.MostLikely);
        Assert.StartsWith("Mismatch of precision", verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_eight_bit_build_honours_a_bf16_claim()
    {
        var (ledger, policy) = Ledger("r1-distill-qwen-7b@bf16", ("r1-distill-qwen-7b@fp8", 40));
        var verdict = VerdictRules.Decide(ledger, policy);
        Assert.Equal(VerdictKind.Consistent, verdict.Kind);
    }

    [Fact]
    public void The_designed_false_accusation_rate_follows_from_the_threshold_and_the_prior()
    {
        var (ledger, policy) = Ledger("deepseek-r1");
        Assert.Equal(Options.FalseAccusationRate, VerdictPolicy.FalseAccusationBound(policy.MismatchBelow, ledger.Space.ClaimPrior), 9);
    }
}
