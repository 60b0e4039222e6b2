namespace Verifier.Core.Catalog;

/// <summary>
/// How far a precision's next-token distributions sit from the variant's native weights, as measured by llama.cpp's
/// perplexity tool against FP16 (llama.cpp PR #6936 scoreboard, Llama-3-8B on wikitext; shared/reference/
/// detection-sources.md): mean KL divergence and the share of positions whose top token is unchanged.
/// Precisions without their own row borrow the nearest measured one (marked "assumed"). The native precision is 0 / 100 %.
/// </summary>
public sealed record QuantizationNoise(double MeanKld, double SameTopToken, string Source)
{
    public static readonly QuantizationNoise Native = new(0, 1, "native weights");

    private static readonly Dictionary<string, QuantizationNoise> Measured = new(StringComparer.Ordinal)
    {
        ["bf16"] = new(0.000025, 0.9974, "BF16 vs FP16 (noise floor), PR #6936"),
        ["fp8"] = new(0.00136, 0.977, "assumed as Q8_0 (8-bit), PR #6936"),
        ["int8"] = new(0.00136, 0.977, "assumed as Q8_0, PR #6936"),
        ["gguf-q8_0"] = new(0.00136, 0.977, "Q8_0, PR #6936"),
        ["fp4"] = new(0.0055, 0.960, "assumed as Q6_K (NVFP4 keeps ~99% of accuracy), PR #6936"),
        ["int4"] = new(0.031, 0.919, "assumed as Q4_K_M (4-bit GPTQ/AWQ), PR #6936"),
        ["gguf-q4_k_m"] = new(0.031, 0.919, "Q4_K_M, PR #6936"),
        ["gguf-q2_k"] = new(0.445, 0.711, "Q2_K, PR #6936"),
        ["gguf-iq1_s"] = new(1.0, 0.616, "IQ1_S: top choice differs 38.4% on Mistral-7B (PR #5676); KLD unconfirmed, assumed 1.0"),
    };

    /// <summary>The noise of <paramref name="precision"/> relative to the variant's native precision.</summary>
    public static QuantizationNoise Of(string precision, string nativePrecision) =>
        precision == nativePrecision ? Native : Measured.TryGetValue(precision, out var q) ? q : Measured["int4"];

    /// <summary>
    /// Standard deviation (nats) of the log-probability perturbation with this KL divergence: for a small zero-mean
    /// perturbation δ of the logits, KL ≈ ½·Var_p(δ), so σ ≈ √(2·KLD).
    /// </summary>
    public double LogprobSigma => Math.Sqrt(2 * MeanKld);
}
