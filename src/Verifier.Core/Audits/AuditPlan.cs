namespace Verifier.Core.Audits;

using Verifier.Core.Catalog;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;

/// <summary>
/// Everything an audit needs besides the target: the claim ("variant" or "variant@precision"), the candidate probe
/// instances (generated from seeds by the caller), budget, evidence options, reference runs and the suite identity.
/// </summary>
public sealed record AuditPlan(
    string ClaimedBuild,
    VariantCatalog Catalog,
    IReadOnlyList<ProbeInstance> Candidates,
    AuditBudget Budget,
    string SuiteVersion,
    string SuiteHash)
{
    public EvidenceOptions Options { get; init; } = EvidenceOptions.Default;

    /// <summary>Reference runs (all loaded bundles); only those with <see cref="SuiteHash"/> are used.</summary>
    public IReadOnlyList<ReferenceRun> References { get; init; } = [];

    /// <summary>Outcome distribution of deterministic probes per variant, for ranking candidates. Default: tokenizer family.</summary>
    public EvidenceLedger.OutcomePredictor Predictor { get; init; } = ProbeSelection.DefaultPredictor;

    /// <summary>Scores what a probe instance returned; the suite's generators by default.</summary>
    public Func<ProbeInstance, ProbeExecution, ProbeOutcome> Score { get; init; } = ProbeSuite.Score;

    /// <summary>Tokens charged for a request when the target reports no usage (the estimate of the probe is used otherwise).</summary>
    public bool ChargeEstimateWhenUsageMissing { get; init; } = true;

    /// <summary>Told before and after each probe (the CLI's progress); reports must not block, they run on the audit's path.</summary>
    public IProgress<AuditProgress>? Progress { get; init; }

    /// <summary>
    /// Signalled when the audit was cancelled while running: the engine cuts the request in flight and ends with stop
    /// reason <see cref="AuditEngine.CancelledStop"/>, keeping the exchanges made so far (unlike the caller's token,
    /// which abandons the run).
    /// </summary>
    public CancellationToken StopRequested { get; init; }
}
