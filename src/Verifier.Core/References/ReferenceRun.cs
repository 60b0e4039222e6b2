namespace Verifier.Core.References;

using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;

/// <summary>Outcome counts of one (category, tier) cell of a reference run, keyed by outcome ("pass", "fail", "no-answer", ...).</summary>
public sealed record ReferenceCell(ProbeCategory Category, string Tier, IReadOnlyDictionary<string, int> Counts);

/// <summary>One output text of a reference run, with the probe instance that produced it (for two-sample tests).</summary>
public sealed record OutputSample(string ProbeId, string GeneratorId, int Seed, string Text);

/// <summary>What a trusted deployment answered to one fingerprint prompt (one run).</summary>
public sealed record FingerprintSample(string ProbeId, FingerprintObservation Observation);

/// <summary>
/// The suite run against a trusted deployment of one build (e.g. "r1-distill-qwen-7b@bf16"): per-cell outcome
/// statistics and output samples. Tied to the probe suite version/hash it was recorded with.
/// </summary>
public sealed record ReferenceRun(
    string Id,
    string Build,
    string Endpoint,
    DateTimeOffset RecordedAt,
    string SuiteVersion,
    string SuiteHash,
    IReadOnlyList<ReferenceCell> Cells,
    IReadOnlyList<OutputSample> Samples)
{
    /// <summary>The fingerprint prompts' answers (greedy tokens with top-k log probabilities, or text), one per prompt and run.</summary>
    public IReadOnlyList<FingerprintSample> Fingerprints { get; init; } = [];
}
