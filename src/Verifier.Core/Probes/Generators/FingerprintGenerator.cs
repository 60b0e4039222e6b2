namespace Verifier.Core.Probes.Generators;

using Verifier.Core.Audits;
using Verifier.Core.Probes.Fingerprint;

/// <summary>The weights fingerprint as a suite generator. Fixed prompts: the suite's candidates are prompt indices 0..count-1 (the repeat tier counts from the end).</summary>
public sealed class FingerprintGenerator : IProbeGenerator
{
    public string Id => FingerprintProbe.GeneratorId;
    public ProbeCategory Category => ProbeCategory.Fingerprint;
    public IReadOnlyList<string> Tiers => [FingerprintProbe.Tier, FingerprintProbe.RepeatTier];
    public ProbeInstance Generate(int seed, string tier, int maxTokens) =>
        tier == FingerprintProbe.RepeatTier ? FingerprintProbe.GenerateRepeat(seed) : FingerprintProbe.Generate(seed);
    public ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution) => FingerprintProbe.Score(instance, execution);

    // Simulated vendors answer fingerprint prompts from their latent logit model, not from a solved answer.
    public SolvedPrompt? TrySolve(string prompt) => null;

    public bool IsFixedSet => true;
}
