namespace Verifier.Core.Audits;

/// <summary>One executed probe instance: enough to regenerate it (generator + seed) and find its raw exchanges.</summary>
public sealed record ProbeRecord(
    string ProbeId,
    string GeneratorId,
    string Category,
    string Tier,
    int Seed,
    IReadOnlyList<int> ExchangeSequences,
    bool Scored);
