namespace Verifier.Targets.Onnx.Generation;

/// <summary>
/// Decoding settings. Greedy when <see cref="Sample"/> is false; otherwise temperature / top-k / top-p sampling
/// driven by a System.Random seeded with <see cref="Seed"/> (same seed, same tokens).
/// </summary>
public sealed record GenerationSettings(
    int MaxNewTokens,
    bool Sample = false,
    double Temperature = 1.0,
    double TopP = 1.0,
    int TopK = 0,
    int Seed = 0,
    IReadOnlyCollection<int>? StopTokenIds = null)
{
    public static GenerationSettings Greedy(int maxNewTokens, IReadOnlyCollection<int>? stop = null) => new(maxNewTokens, StopTokenIds: stop);

    /// <summary>The distills' recommended settings (temperature 0.6, top-p 0.95; facts sheet §2).</summary>
    public static GenerationSettings R1Recommended(int maxNewTokens, int seed, IReadOnlyCollection<int>? stop = null) =>
        new(maxNewTokens, Sample: true, Temperature: 0.6, TopP: 0.95, Seed: seed, StopTokenIds: stop);
}
