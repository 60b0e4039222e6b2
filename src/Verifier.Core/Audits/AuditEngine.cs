namespace Verifier.Core.Audits;

using Verifier.Core.Evidence;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.Probes.Tokenizer;
using Verifier.Core.Quality;
using Verifier.Core.References;
using Verifier.Core.Verdicts;

/// <summary>
/// The sequential audit: pick the most informative affordable probe, run it, score it, update the posterior, stop when
/// settled or the budget is spent. I/O happens only in the <c>execute</c> delegate (HTTP, ONNX, simulator), so the loop is
/// testable in memory; <see cref="Rescore"/> replays stored executions through the same fold and yields the same verdict.
/// </summary>
public static class AuditEngine
{
    public static Task<AuditResult> RunAsync(
        AuditPlan plan,
        Func<ProbeInstance, CancellationToken, Task<ProbeExecution>> execute,
        TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        return RunAsync(plan, execute, time, time.GetTimestamp(), cancellationToken);
    }

    /// <summary>
    /// The audit with its wall time counted from <paramref name="started"/> (a <paramref name="time"/> timestamp): an
    /// executor with its own deadline (the HTTP client) passes the moment that deadline was set from, so the engine never
    /// sees its budget as unspent when the executor has already stopped at the deadline.
    /// </summary>
    public static async Task<AuditResult> RunAsync(
        AuditPlan plan,
        Func<ProbeInstance, CancellationToken, Task<ProbeExecution>> execute,
        TimeProvider time,
        long started,
        CancellationToken cancellationToken)
    {
        var (ledger, policy, references) = Start(plan);
        var pool = plan.Candidates.ToList();
        var exchanges = new List<Exchange>();
        var evidence = new List<EvidenceItem>();
        var probes = new List<ProbeRecord>();
        long tokens = 0;
        string stop = "no more probes";
        var decidedAt = new List<(VerdictKind Kind, int Requests)>();
        var usage = new UsageConsistency.Tracker();
        var delivered = false;
        var contextChanged = false;
        // Backstop for executors that do not honour the deadline themselves: the request in flight is cancelled a grace
        // period after the wall-time budget (the HTTP client stops at the deadline and records the cut exchange).
        using var wall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, plan.StopRequested);
        var backstop = plan.Budget.MaxWallTime + WallGrace - time.GetElapsedTime(started);
        if (backstop < TimeSpan.FromDays(30)) wall.CancelAfter(backstop > TimeSpan.Zero ? backstop : TimeSpan.Zero);

        while (true)
        {
            var verdict = VerdictRules.Decide(ledger, policy);
            decidedAt.Add((verdict.Kind, exchanges.Count));
            if (VerdictRules.IsSettled(verdict, policy)) { stop = "decided"; break; }
            cancellationToken.ThrowIfCancellationRequested();
            if (plan.StopRequested.IsCancellationRequested) { stop = CancelledStop; break; }
            if (wall.IsCancellationRequested || time.GetElapsedTime(started) >= plan.Budget.MaxWallTime) { stop = "budget: wall time"; break; }
            if (exchanges.Count >= plan.Budget.MaxRequests) { stop = "budget: requests"; break; }
            if (tokens >= plan.Budget.MaxTokens) { stop = "budget: tokens"; break; }
            if (pool.Count == 0) break;

            var requestsLeft = plan.Budget.MaxRequests - exchanges.Count;
            var tokensLeft = plan.Budget.MaxTokens - tokens;
            // Families first, then weights: a tokenizer pair settles the family (and checks the usage accounting) in two
            // requests; fingerprints tell builds within a family apart, so they wait until a pair has been tried.
            var familyTried = probes.Any(p => p.Category == nameof(ProbeCategory.Tokenizer)) || !pool.Any(c => c.Category == ProbeCategory.Tokenizer);
            // Self-consistency pairs only once the context is known to be changed: with it intact, a fingerprint compared
            // with references tells more per request.
            var (pick, information) = ProbeSelection.ChooseWithInformation(ledger, pool, plan.Predictor,
                c => c.Requests.Count <= requestsLeft && c.EstimatedTokens <= tokensLeft && (familyTried || c.Category != ProbeCategory.Fingerprint)
                     && (contextChanged || !FingerprintProbe.IsRepeat(c)), (requestsLeft, tokensLeft));
            if (pick < 0) { stop = "budget: no affordable probe"; break; }
            if (information < plan.Options.MinInformationNats) { stop = "no informative probe left"; break; }
            var instance = pool[pick];
            pool.RemoveAt(pick);

            plan.Progress?.Report(new AuditProgress(exchanges.Count, plan.Budget.MaxRequests, tokens, plan.Budget.MaxTokens, time.GetElapsedTime(started), instance.ProbeId, instance.Category.ToString(), false));
            // One span per probe (its HTTP requests nest under it); tags are ids and outcomes, never a prompt.
            using var span = AuditTelemetry.Source.StartActivity("probe");
            span?.SetTag("verifier.probe.id", instance.ProbeId);
            span?.SetTag("verifier.probe.category", StoredNames.Of(instance.Category));
            ProbeExecution execution;
            try { execution = await execute(instance, wall.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
            catch (OperationCanceledException) when (plan.StopRequested.IsCancellationRequested) { execution = ProbeExecution.Failed("executor cancelled: audit cancelled"); }
            catch (OperationCanceledException) when (wall.IsCancellationRequested) { execution = ProbeExecution.Failed("executor cancelled: audit wall-time budget reached"); }
            catch (Exception e) { execution = ProbeExecution.Failed($"executor failed: {e.GetType().Name}"); } // a target fault never ends the audit
            delivered |= execution.AnyDelivered;
            AuditTelemetry.RecordExchanges(execution.Exchanges);

            exchanges.AddRange(execution.Exchanges);
            tokens += ChargedTokens(execution, instance, plan.ChargeEstimateWhenUsageMissing);
            (ledger, var item, var scored) = Fold(ledger, instance, execution, plan.Score);
            evidence.Add(item);
            probes.Add(Record(instance, execution, scored));
            span?.SetTag("verifier.probe.outcome", scored ? item.OutcomeKey : "not-scored");
            span?.SetTag("verifier.probe.exchanges", execution.Exchanges.Count);
            if (!execution.AnyDelivered) span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "no delivered response");
            (ledger, usage) = CheckUsage(plan, ledger, usage, instance, execution, item.OutcomeKey, evidence);
            plan.Progress?.Report(new AuditProgress(exchanges.Count, plan.Budget.MaxRequests, tokens, plan.Budget.MaxTokens, time.GetElapsedTime(started), instance.ProbeId, instance.Category.ToString(), true));
            // A target that hides or discounts its token counts makes every further tokenizer pair a wasted request; one
            // that refuses logprobs, every further fingerprint request with them.
            if (item.OutcomeKey is TokenizerProbe.NoUsageOutcome or TokenizerProbe.DiscountedOutcome) pool.RemoveAll(c => c.GeneratorId == instance.GeneratorId);
            if (item.OutcomeKey is FingerprintProbe.RefusedOutcome) pool = pool.Select(FingerprintProbe.WithoutLogprobs).ToList();
            // A changed context makes every further fingerprint prompt incomparable with references; after one split
            // self-consistency pair, further pairs could only be held against a stack that is merely noisy.
            contextChanged = ContextChanged(evidence);
            if (contextChanged) pool.RemoveAll(c => c.Category == ProbeCategory.Fingerprint && !FingerprintProbe.IsRepeat(c));
            if (item.OutcomeKey is FingerprintProbe.RepeatDiffersOutcome) pool.RemoveAll(FingerprintProbe.IsRepeat);
        }

        var result = Finish(plan, ledger, policy, references, exchanges, evidence, probes, time.GetElapsedTime(started), stop, delivered);
        return result with { DecidedAfterRequests = FirstStable(decidedAt, result.Verdict.Kind, exchanges.Count) };
    }

    /// <summary>
    /// Whether the fingerprint prompts evidently do not reach the model as sent (a hidden system prompt, another template):
    /// two answers with an unverified context fitted no reference and none fitted one.
    /// </summary>
    private static bool ContextChanged(List<EvidenceItem> evidence)
    {
        int misfits = 0;
        foreach (var e in evidence)
        {
            if (e.Category != nameof(ProbeCategory.Fingerprint) || e.OutcomeKey != FingerprintProbe.ContextUnverifiedOutcome) continue;
            if (e.Weighing?.StartsWith(Weighings.NotScoredPrefix, StringComparison.Ordinal) != true) return false;
            misfits++;
        }
        return misfits >= 2;
    }

    /// <summary>Requests at the start of the final run of identical verdict kinds (null when inconclusive).</summary>
    private static int? FirstStable(List<(VerdictKind Kind, int Requests)> history, VerdictKind final, int total)
    {
        if (final == VerdictKind.Inconclusive) return null;
        var at = total;
        for (var i = history.Count - 1; i >= 0 && history[i].Kind == final; i--) at = history[i].Requests;
        return at;
    }

    /// <summary>
    /// Re-scores a stored audit in its original order: each probe instance regenerated from (generator, seed) by
    /// <paramref name="regenerate"/>, what it returned rebuilt from its stored exchanges by the target kind's
    /// <paramref name="replay"/>.
    /// </summary>
    public static AuditResult Rescore(
        AuditPlan plan,
        AuditResult stored,
        Func<ProbeRecord, ProbeInstance> regenerate,
        Func<ProbeInstance, IReadOnlyList<Exchange>, ProbeExecution> replay)
    {
        var bySequence = stored.Exchanges.ToDictionary(e => e.Sequence);
        var executed = stored.Probes.Select(p =>
        {
            var instance = regenerate(p);
            var exchanges = p.ExchangeSequences.Select(s => bySequence[s]).ToList();
            return (instance, exchanges.Count == 0 ? ProbeExecution.Failed("no exchange") : replay(instance, exchanges));
        });
        var (ledger, policy, references) = Start(plan);
        var evidence = new List<EvidenceItem>();
        var probes = new List<ProbeRecord>();
        var exchanges = new List<Exchange>();
        var usage = new UsageConsistency.Tracker();
        var delivered = false;
        foreach (var (instance, execution) in executed)
        {
            delivered |= execution.AnyDelivered;
            exchanges.AddRange(execution.Exchanges);
            (ledger, var item, var scored) = Fold(ledger, instance, execution, plan.Score);
            evidence.Add(item);
            probes.Add(Record(instance, execution, scored));
            (ledger, usage) = CheckUsage(plan, ledger, usage, instance, execution, item.OutcomeKey, evidence);
        }
        var wall = exchanges.Count == 0 ? TimeSpan.Zero : exchanges.Max(e => e.StartedAt + e.Duration) - exchanges.Min(e => e.StartedAt);
        return Finish(plan, ledger, policy, references, exchanges, evidence, probes, wall, "rescored", delivered);
    }

    public static (EvidenceLedger Ledger, VerdictPolicy Policy, ReferenceSet References) Start(AuditPlan plan)
    {
        var references = new ReferenceSet(plan.References, plan.SuiteHash);
        var space = HypothesisSpace.Create(plan.Catalog, plan.ClaimedBuild, plan.Options);
        var model = new CapabilityModel(plan.Catalog, plan.Options, references);
        var keyed = new KeyedOutcomeModel(plan.Catalog, references, countCap: plan.Options.ReferenceCountCap);
        var ledger = EvidenceLedger.Create(space, model, plan.Options, keyed) with { Fingerprints = new FingerprintModel(plan.Catalog, references, plan.Options) };
        return (ledger, VerdictPolicy.For(space, plan.Options), references);
    }

    private static (EvidenceLedger, EvidenceItem, bool) Fold(EvidenceLedger ledger, ProbeInstance instance, ProbeExecution execution, Func<ProbeInstance, ProbeExecution, ProbeOutcome> score)
    {
        var sequences = execution.Exchanges.Select(e => e.Sequence).ToList();
        if (!execution.AnyDelivered) return (ledger, NotScored(instance, sequences, Weighings.NotScoredPrefix + "target fault (no delivered response)"), false);
        ProbeOutcome outcome;
        try { outcome = score(instance, execution); }
        catch (Exception e) { return (ledger, NotScored(instance, sequences, $"{Weighings.NotScoredPrefix}scorer failed ({e.GetType().Name})"), false); }
        var (next, item) = ledger.Apply(outcome);
        if (item.ExchangeSequences.Count == 0) item = item with { ExchangeSequences = sequences };
        return (next, item, true);
    }

    /// <summary>Every single-message request's prompt_tokens against the audit's first, once the accounting is verified.</summary>
    private static (EvidenceLedger, UsageConsistency.Tracker) CheckUsage(AuditPlan plan, EvidenceLedger ledger, UsageConsistency.Tracker usage,
        ProbeInstance instance, ProbeExecution execution, string? outcomeKey, List<EvidenceItem> evidence)
    {
        if (!plan.Options.CheckPromptUsage) return (ledger, usage);
        if (usage.Anchor is null && TemplateSignature.Check(instance, execution) is { } template)
        {
            (ledger, var item) = ledger.Apply(template);
            evidence.Add(item);
        }
        if (usage.Active && UsageConsistency.Check(usage.Anchor!, usage.Previous, instance, execution) is { } outcome)
        {
            (ledger, var item) = ledger.Apply(outcome);
            evidence.Add(item);
        }
        return (ledger, usage.After(instance, execution, outcomeKey));
    }

    private static EvidenceItem NotScored(ProbeInstance instance, IReadOnlyList<int> sequences, string why) =>
        new(instance.ProbeId, instance.Category.ToString(), sequences, "", new Dictionary<string, double>()) { Tier = instance.Tier, Weighing = why };

    private static ProbeRecord Record(ProbeInstance i, ProbeExecution e, bool scored) =>
        new(i.ProbeId, i.GeneratorId, i.Category.ToString(), i.Tier, i.Seed, e.Exchanges.Select(x => x.Sequence).ToList(), scored);

    /// <summary>
    /// Tokens charged to the budget: the exchanges' counts (targets record plausible counts there, see
    /// <see cref="UsagePlausibility"/>; never negative here whatever an executor did), else the probe's estimate.
    /// </summary>
    private static long ChargedTokens(ProbeExecution execution, ProbeInstance instance, bool chargeEstimate)
    {
        var reported = execution.Exchanges.Where(e => e.Usage is not null).Sum(e => Count(e.Usage!.PromptTokens) + Count(e.Usage.CompletionTokens));
        var unreported = execution.Exchanges.Count(e => e.Usage is null && e.Outcome == ExchangeOutcome.Ok);
        return reported + (chargeEstimate && unreported > 0 ? instance.EstimatedTokens : 0);
    }

    private static long Count(int? tokens) => Math.Max(0, tokens ?? 0);

    private static AuditResult Finish(AuditPlan plan, EvidenceLedger ledger, VerdictPolicy policy, ReferenceSet references,
        List<Exchange> exchanges, List<EvidenceItem> evidence, List<ProbeRecord> probes, TimeSpan wall, string stop, bool delivered)
    {
        var cost = new AuditCost(exchanges.Count,
            exchanges.Sum(e => Count(e.Usage?.PromptTokens)),
            exchanges.Sum(e => Count(e.Usage?.CompletionTokens)),
            wall);
        var verdict = VerdictRules.Decide(ledger, policy);
        var error = delivered ? null : AuditFailures.Describe(exchanges, probes.Count);
        return new AuditResult(error is null ? verdict : verdict with { Summary = error + ". " + verdict.Summary }, exchanges, evidence, cost, plan.SuiteVersion, plan.SuiteHash)
        {
            Probes = probes,
            ReferenceRunsUsed = references.Used.Select(r => r.Id).ToList(),
            StopReason = stop,
            Quality = ServiceQuality.Assess(evidence, references, plan.Catalog, ledger.Space.ClaimedVariant),
            Error = error,
        };
    }

    /// <summary>Time an executor gets past the wall-time budget to stop by itself before its request is cancelled.</summary>
    public static readonly TimeSpan WallGrace = TimeSpan.FromSeconds(1);

    /// <summary>The stop reason of an audit ended by <see cref="AuditPlan.StopRequested"/>.</summary>
    public const string CancelledStop = "cancelled";
}
