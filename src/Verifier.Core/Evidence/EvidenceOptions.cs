namespace Verifier.Core.Evidence;

using Verifier.Core.Probes;

/// <summary>
/// Tunables of the evidence model. The defaults are the designed operating point (see README "Verdict thresholds").
/// </summary>
public sealed record EvidenceOptions
{
    /// <summary>False-accusation rate the mismatch threshold is derived from (per audit, honest vendor, model correct).</summary>
    public double FalseAccusationRate { get; init; } = 1e-3;

    /// <summary>
    /// Posterior the claimed variant needs for "consistent". Lower than the mismatch side on purpose: a wrong
    /// "consistent" is a missed substitution, a wrong "mismatch" is a false accusation (see VerdictPolicy).
    /// </summary>
    public double ConsistentThreshold { get; init; } = 0.99;

    /// <summary>Prior mass of the open-set "unknown" hypothesis.</summary>
    public double UnknownPrior { get; init; } = 0.02;

    /// <summary>Total prior mass of all partial-traffic mixtures together.</summary>
    public double MixturePrior { get; init; } = 0.05;

    /// <summary>Share of traffic answered by the substitute in the mixture hypotheses.</summary>
    public IReadOnlyList<double> MixtureShares { get; init; } = [0.1, 0.2, 0.3, 0.5];

    /// <summary>Prior share of a variant's mass on its native precision; the rest is split over its other precisions.</summary>
    public double NativePrecisionShare { get; init; } = 0.5;

    /// <summary>Pseudo-count of the Beta/Dirichlet prior derived from published scores (small = wide).</summary>
    public double WeakPseudoCount { get; init; } = 4;

    /// <summary>
    /// Largest spread (nats) that capability evidence judged only by the published-score prior may create between
    /// hypotheses. ln 20 ≈ 3: never enough to cross a verdict threshold on its own.
    /// </summary>
    public double WeakCapabilityClipNats { get; init; } = Math.Log(20);

    /// <summary>Most outcomes of a reference cell that count (larger runs are scaled down): keeps a reference from being treated as exact.</summary>
    public double ReferenceCountCap { get; init; } = 400;

    /// <summary>Probability that a capability reply is unusable ("no-answer") under the weak prior.</summary>
    public double NoAnswerRate { get; init; } = 0.05;

    /// <summary>Error floor of deterministic evidence per category: a probe's verdict on a hypothesis is never below this likelihood ratio.</summary>
    public IReadOnlyDictionary<ProbeCategory, double> DeterministicFloor { get; init; } = new Dictionary<ProbeCategory, double>
    {
        // An exact differential count that matches another family's is not a server quirk: quirks (a tokenizer
        // revision, added tokens) give counts matching no family, which the open-set hypothesis absorbs.
        [ProbeCategory.Tokenizer] = 1e-5,
        [ProbeCategory.Metadata] = 0.02,   // spoofable claims: weak by design
        [ProbeCategory.Behaviour] = 0.05,  // depends on serving stack as much as on the model
        // One fingerprint prompt can move the odds of a build by at most 100: an honest stack noisier than any reference
        // costs at most that per prompt, and it takes two clean prompts to accuse.
        [ProbeCategory.Fingerprint] = 0.01,
    };

    /// <summary>
    /// Smallest honest serving noise (nats, σ of a log-probability residual) the fingerprint allows: 8-bit quantization's
    /// σ ≈ √(2·0.00136) = 0.052 (Q8_0, llama.cpp PR #6936) plus a margin, because engines differ by as much on the same
    /// weights (R1-0528 FP8: 94.4% on SGLang, 86.2% on TRT-LLM, InferenceX PR #258). So 8-bit builds are not told from
    /// 16-bit ones, while 4-bit (σ ≈ 0.25) are.
    /// </summary>
    public double FingerprintSigmaFloor { get; init; } = 0.06;

    /// <summary>Multiplier on the noise measured between repeated reference runs (a target's stack may be noisier than the reference's).</summary>
    public double FingerprintNoiseAllowance { get; init; } = 2;

    /// <summary>
    /// Residual scales (nats) other weights may have, equally likely: from a close relative (same base or teacher; its
    /// top tokens still agree at most positions) to an unrelated model. The smallest sits above 4-bit quantization's
    /// range (σ ≤ 0.37), so a quantized build and a relative stay distinguishable. Assumption, see README.
    /// </summary>
    public IReadOnlyList<double> FingerprintDifferentSigmas { get; init; } = [0.35, 0.7, 1.4, 2.8];

    /// <summary>Heavy tail of honest residuals: this share of them may be <see cref="FingerprintTailScale"/> times wider.</summary>
    public double FingerprintTailWeight { get; init; } = 0.1;

    public double FingerprintTailScale { get; init; } = 4;

    /// <summary>
    /// Smallest honest per-token chance that a greedy choice differs from the reference's: ≈ 1% per token (Qwen3-235B at
    /// temperature 0 first diverged at token 103; Thinking Machines 2025) doubled.
    /// </summary>
    public double FingerprintFlipFloor { get; init; } = 0.02;

    /// <summary>Per-token chance that other weights make a different greedy choice (text-only path; assumption, see README).</summary>
    public double FingerprintDifferentFlip { get; init; } = 0.2;

    /// <summary>
    /// Least likelihood ratio (one model vs two) a self-consistency pair whose answers differ can give: an honest stack
    /// noisier than the references splits its own pairs at some rate, so a split counts at most 20× for a mixture, and
    /// only the first is weighed (the engine sends no more pairs): ln 20 ≈ 3 nats, far below what an accusation needs.
    /// </summary>
    public double RepeatSplitFloor { get; init; } = 0.05;

    public double DefaultDeterministicFloor { get; init; } = 0.01;

    /// <summary>After a mismatch the audit continues until the most likely actual variant reaches this posterior (or budget ends). 0 = stop at the mismatch.</summary>
    public double IdentifyThreshold { get; init; } = 0.99;

    /// <summary>Information (nats) assumed for a probe whose outcome the engine cannot predict (e.g. metadata).</summary>
    public double DefaultInformationNats { get; init; } = 0.2;

    /// <summary>The audit stops when the best remaining probe is expected to tell less than this (nats): spending more would not move the verdict.</summary>
    public double MinInformationNats { get; init; } = 1e-4;

    /// <summary>Smallest token cost used when ranking probes (a GET costs requests, not tokens).</summary>
    public int MinTokenCost { get; init; } = 50;

    /// <summary>Check every single-message request's prompt_tokens against the audit's first (partial-traffic evidence on every exchange).</summary>
    public bool CheckPromptUsage { get; init; } = true;

    public static EvidenceOptions Default { get; } = new();

    public double FloorFor(ProbeCategory category) => DeterministicFloor.TryGetValue(category, out var f) ? f : DefaultDeterministicFloor;
}
