namespace Verifier.Core.Evidence;

public enum HypothesisKind { Build, Mixture, Unknown }

/// <summary>
/// One explanation of what answers the endpoint: a catalogued build ("r1-distill-qwen-7b@int4"), a
/// partial-traffic mixture (the claim with a share of another variant) or the open-set "unknown".
/// For a mixture, Variant/Precision name the claimed build and Other the substitute at its native precision.
/// </summary>
public sealed record Hypothesis(
    string Id,
    HypothesisKind Kind,
    string? Variant,
    string? Precision,
    string? OtherVariant = null,
    string? OtherPrecision = null,
    double Share = 0)
{
    public const string UnknownId = "unknown";

    /// <summary>
    /// Likelihood key of a two-request probe (the tokenizer pair): log P(observation | its two requests were answered
    /// by models with different tokenizers). Mixtures of two tokenizer families weigh it by 2s(1−s).
    /// </summary>
    public const string MixedPairId = "mixed-pair";

    public static string BuildId(string variant, string precision) => $"{variant}@{precision}";

    public static string MixtureId(string claim, string other, double share) =>
        $"mix:{claim}+{other}@{share.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>What a verdict names: the variant for builds, the mixture id, or "unknown".</summary>
    public string Entity => Kind == HypothesisKind.Build ? Variant! : Id;
}
