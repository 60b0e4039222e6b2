namespace Verifier.Core.Tests.Audits;

using Verifier.Core.Audits;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.References;
using Verifier.Core.Chat;
using static Verifier.Core.Tests.Audits.Sim;

public class AuditEngineTests
{
    private static AuditResult Run(AuditPlan plan, IReadOnlyList<Component> truth, int seed, Func<string, string, ProbeCategory, string, double>? rate = null, string? tokenizer = null,
        Func<string, Random, string>? behaviour = null) =>
        AuditEngine.RunAsync(plan, Executor(truth, new Random(seed), rate, tokenizer, behaviour)).GetAwaiter().GetResult();

    [Fact]
    public void Distill_passed_off_as_r1_is_a_mismatch_within_two_requests()
    {
        var mismatches = 0;
        var requests = new List<int>();
        for (var t = 0; t < 50; t++)
        {
            var result = Run(Plan("deepseek-r1", Candidates(10, 6, t), 60), [new("r1-distill-qwen-7b", "bf16", 1)], t);
            if (result.Verdict.Kind == VerdictKind.Mismatch) mismatches++;
            requests.Add(result.DecidedAfterRequests ?? int.MaxValue);
        }
        Assert.Equal(50, mismatches);
        requests.Sort();
        Assert.True(requests[requests.Count / 2] <= 2, $"median requests {requests[requests.Count / 2]}");
    }

    [Fact]
    public void Converges_to_the_true_variant_with_reference_runs()
    {
        var references = ReferencesForAllNative(400, 7);
        string[] truths = ["deepseek-r1", "deepseek-v3", "r1-distill-qwen-1.5b", "r1-distill-llama-8b", "r1-distill-llama-70b"];
        var errors = 0;
        var trials = 0;
        var log = new List<string>();
        foreach (var truth in truths)
            for (var t = 0; t < 8; t++)
            {
                trials++;
                var v = Catalog.Get(truth);
                var result = Run(Plan("deepseek-r1", Candidates(40, 30, t), 300, references), [new(truth, v.NativePrecision, 1)], 1000 + t);
                // Honest: must not be accused (consistent or, against near-identical 10% mixtures, inconclusive).
                var wrongKind = truth == "deepseek-r1" ? result.Verdict.Kind == VerdictKind.Mismatch : result.Verdict.Kind != VerdictKind.Mismatch;
                if (wrongKind || result.Verdict.MostLikely != truth)
                {
                    errors++;
                    log.Add($"{truth}: {result.Verdict.Kind} top={string.Join(",", result.Verdict.VariantPosterior.Take(3).Select(x => $"{x.Hypothesis}={x.Posterior:0.###}"))} req={result.Cost.Requests} stop={result.StopReason}");
                }
            }
        Assert.True(errors <= 2, $"{errors} of {trials} audits did not identify the truth\n{string.Join("\n", log)}");
    }

    [Fact]
    public void Honest_vendor_judged_on_noisy_capability_only_is_never_accused_nor_confirmed()
    {
        // Misspecified on purpose: each cell's true pass rate is drawn from the wide prior, not its mean.
        var mismatches = 0;
        var consistent = 0;
        for (var t = 0; t < 150; t++)
        {
            var random = new Random(t);
            var rates = new Dictionary<(ProbeCategory, string), double>();
            double Rate(string v, string p, ProbeCategory c, string tier)
            {
                if (!rates.TryGetValue((c, tier), out var r))
                    rates[(c, tier)] = r = Math.Clamp(ModelRate(v, p, c, tier) + (random.NextDouble() - 0.5) * 0.5, 0.02, 0.98);
                return r;
            }
            var result = Run(Plan("deepseek-r1", Candidates(15, 0, t), 60), [new("deepseek-r1", "fp8", 1)], t, Rate);
            if (result.Verdict.Kind == VerdictKind.Mismatch) mismatches++;
            if (result.Verdict.Kind == VerdictKind.Consistent) consistent++;
        }
        Assert.Equal(0, mismatches);
        Assert.Equal(0, consistent);
    }

    [Fact]
    public void Capability_outcomes_of_a_weaker_model_alone_never_produce_a_mismatch_without_references()
    {
        for (var t = 0; t < 30; t++)
        {
            var result = Run(Plan("deepseek-r1", Candidates(15, 0, t), 60), [new("r1-distill-qwen-1.5b", "bf16", 1)], t);
            Assert.Equal(VerdictKind.Inconclusive, result.Verdict.Kind);
            Assert.True(result.Verdict.ClaimPosterior > 100 * result.Verdict.MismatchThreshold);
        }
    }

    [Fact]
    public void Honest_vendor_with_tokenizer_and_reference_backed_capability_is_never_accused()
    {
        var references = ReferencesForAllNative(400, 11);
        var mismatches = 0;
        for (var t = 0; t < 60; t++)
        {
            var result = Run(Plan("r1-distill-qwen-14b", Candidates(20, 4, t), 60, references), [new("r1-distill-qwen-14b", "bf16", 1)], 500 + t);
            if (result.Verdict.Kind == VerdictKind.Mismatch) mismatches++;
        }
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Partial_traffic_substitution_is_detected_as_a_mixture()
    {
        var detected = 0;
        for (var t = 0; t < 40; t++)
        {
            var result = Run(Plan("deepseek-r1", Candidates(5, 40, t), 60), [new("deepseek-r1", "fp8", 0.7), new("r1-distill-qwen-7b", "bf16", 0.3)], 300 + t);
            if (result.Verdict.Kind == VerdictKind.Mismatch && result.Verdict.MostLikely!.StartsWith("mix:deepseek-r1+", StringComparison.Ordinal)) detected++;
        }
        Assert.True(detected >= 38, $"detected {detected}/40");
    }

    [Fact]
    public void Unknown_wins_when_the_tokenizer_is_foreign()
    {
        var result = Run(Plan("deepseek-r1", Candidates(5, 6, 1), 60), [new("deepseek-r1", "fp8", 1)], 1, tokenizer: "other");
        Assert.Equal(VerdictKind.Mismatch, result.Verdict.Kind);
        Assert.Equal(Hypothesis.UnknownId, result.Verdict.MostLikely);
    }

    [Fact]
    public void Rescoring_the_stored_exchanges_reproduces_the_verdict_exactly()
    {
        var references = ReferencesForAllNative(200, 3);
        var plan = Plan("deepseek-r1", Candidates(10, 3, 5), 40, references);
        var result = Run(plan, [new("deepseek-r1", "fp8", 0.8), new("r1-distill-llama-70b", "bf16", 0.2)], 5);

        // What rescore has: probe records (generator + seed → instance) and the stored exchanges.
        var byId = plan.Candidates.ToDictionary(c => c.ProbeId);
        var again = AuditEngine.Rescore(plan, result, p => byId[p.ProbeId], (_, exchanges) => new ProbeExecution(
            exchanges.Select(e => new ProbeResponse(0, e.Outcome == Verifier.Core.Exchanges.ExchangeOutcome.Ok, e.StatusCode, null, System.Text.Encoding.UTF8.GetString(e.ResponseBody), e.Sequence)).ToList(),
            exchanges));

        Assert.Equal(result.Verdict.Kind, again.Verdict.Kind);
        Assert.Equal(result.Verdict.ClaimPosterior, again.Verdict.ClaimPosterior);
        Assert.Equal(result.Verdict.Posterior, again.Verdict.Posterior);
        Assert.Equal(result.Evidence.Count, again.Evidence.Count);
    }

    [Fact]
    public async Task Target_faults_and_executor_exceptions_are_recorded_not_thrown_and_budget_is_enforced()
    {
        var calls = 0;
        var plan = Plan("deepseek-r1", Candidates(10, 2, 1), 7);
        var result = await AuditEngine.RunAsync(plan, (i, _) =>
        {
            calls++;
            if (calls % 2 == 0) throw new HttpRequestException("connection refused");
            return Executor([new("deepseek-r1", "fp8", 1)], new Random(calls))(i, default);
        });
        Assert.Contains(result.Evidence, e => e.Weighing!.StartsWith("not-scored", StringComparison.Ordinal));
        Assert.True(result.Cost.Requests <= 7);
    }

    [Fact]
    public void Designed_false_accusation_rate_is_stated_and_consistent_with_the_threshold()
    {
        var result = Run(Plan("deepseek-r1", Candidates(2, 2, 1), 10), [new("deepseek-r1", "fp8", 1)], 1);
        Assert.Equal(1e-3, result.Verdict.DesignedFalseAccusationRate);
        var space = HypothesisSpace.Create(Catalog, "deepseek-r1", EvidenceOptions.Default);
        var bound = Verifier.Core.Verdicts.VerdictPolicy.FalseAccusationBound(result.Verdict.MismatchThreshold, space.ClaimPrior);
        Assert.InRange(bound, 0.999e-3, 1.001e-3);
    }

    [Fact]
    public async Task Empirical_false_accusation_rate_stays_below_the_designed_rate_when_the_model_is_right()
    {
        // Relaxed operating point so the rate is measurable: α = 5 %, tokenizer floor 0.3. The honest vendor's scorer
        // reports a wrong family exactly as often as the floored likelihoods say (each row sums to 1 + 3f), so Ville's
        // bound applies: P(mismatch) ≤ α whatever the stopping rule.
        const double floor = 0.3;
        var options = EvidenceOptions.Default with
        {
            FalseAccusationRate = 0.05,
            DeterministicFloor = new Dictionary<ProbeCategory, double> { [ProbeCategory.Tokenizer] = floor },
        };
        string[] outcomes = ["deepseek-v3", "qwen", "llama3", "other"];
        var mismatches = 0;
        const int trials = 400;
        for (var t = 0; t < trials; t++)
        {
            var random = new Random(t);
            var plan = Plan("deepseek-r1", Candidates(0, 12, t), 12) with { Options = options };
            var sequence = 0;
            var result = await AuditEngine.RunAsync(plan, (instance, _) =>
            {
                var u = random.NextDouble() * (1 + 3 * floor);
                var family = u < 1 ? "deepseek-v3" : outcomes[1 + (int)Math.Min(2, (u - 1) / floor)];
                var body = System.Text.Json.JsonSerializer.Serialize(new { family });
                var seq = ++sequence;
                var ex = new Verifier.Core.Exchanges.Exchange(seq, instance.ProbeId, "POST", "sim", new Dictionary<string, string>(), [], 200,
                    new Dictionary<string, string>(), System.Text.Encoding.UTF8.GetBytes(body), Verifier.Core.Exchanges.ExchangeOutcome.Ok, null,
                    DateTimeOffset.UnixEpoch, TimeSpan.Zero, null, null, 1);
                return Task.FromResult(new ProbeExecution([new ProbeResponse(0, true, 200, null, body, seq)], [ex]));
            });
            if (result.Verdict.Kind == VerdictKind.Mismatch) mismatches++;
        }
        Console.WriteLine($"false accusations: {mismatches}/{trials}");
        Assert.True(mismatches <= 0.05 * trials + 3 * Math.Sqrt(trials * 0.05 * 0.95), $"{mismatches} false accusations in {trials}");
    }

    [Fact]
    public void With_identify_threshold_zero_the_audit_stops_at_the_mismatch()
    {
        var plan = Plan("deepseek-r1", Candidates(10, 6, 3), 60) with { Options = EvidenceOptions.Default with { IdentifyThreshold = 0 } };
        var result = Run(plan, [new("r1-distill-llama-8b", "bf16", 1)], 3);
        Assert.Equal(VerdictKind.Mismatch, result.Verdict.Kind);
        Assert.Equal("decided", result.StopReason);
        Assert.True(result.Cost.Requests <= 2, $"{result.Cost.Requests} requests");
        Assert.Equal(result.Cost.Requests, result.DecidedAfterRequests);
    }

    [Fact]
    public void Behaviour_outcomes_learned_from_reference_runs_tell_r1_from_r1_0528()
    {
        static string Style(string variant, Random r) =>
            (variant == "deepseek-r1-0528") == (r.NextDouble() < 0.9) ? "think:both-tags" : "think:closing-only";
        ReferenceRun Ref(string variant)
        {
            var r = new Random(variant.Length);
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < 200; i++) { var k = Style(variant, r); counts[k] = counts.GetValueOrDefault(k) + 1; }
            return new ReferenceRun("ref-" + variant, variant + "@fp8", "http://trusted", DateTimeOffset.UnixEpoch, "test-suite-1", "hash-1",
                [new ReferenceCell(ProbeCategory.Behaviour, "think-style", counts)], []);
        }
        var candidates = Candidates(0, 3, 1);
        for (var i = 0; i < 40; i++)
            candidates.Add(new ProbeInstance($"beh-{i}", "behaviour.think-style", ProbeCategory.Behaviour, "think-style", i, [ProbeRequest.Chat([], 50)], "", 300));
        var identified = 0;
        for (var t = 0; t < 20; t++)
        {
            var plan = Plan("deepseek-r1", candidates, 60, [Ref("deepseek-r1"), Ref("deepseek-r1-0528")]);
            var result = Run(plan, [new("deepseek-r1-0528", "fp8", 1)], t, behaviour: Style);
            Assert.NotEqual(VerdictKind.Consistent, result.Verdict.Kind);
            if (result.Verdict.Kind == VerdictKind.Mismatch && result.Verdict.MostLikely == "deepseek-r1-0528") identified++;
            Assert.Contains(result.Evidence, e => e.Weighing == "keyed-reference");
        }
        Assert.True(identified >= 19, $"identified {identified}/20");

        // and the honest R1 is not accused on the same evidence
        for (var t = 0; t < 20; t++)
        {
            var result = Run(Plan("deepseek-r1", candidates, 60, [Ref("deepseek-r1"), Ref("deepseek-r1-0528")]), [new("deepseek-r1", "fp8", 1)], 100 + t, behaviour: Style);
            Assert.NotEqual(VerdictKind.Mismatch, result.Verdict.Kind);
        }
    }
}
