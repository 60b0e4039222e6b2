namespace Verifier.Core.Evidence;

public enum HypothesisKind { Build, Mixture, Unknown }

/// <summary>
/// One explanation of what answers the endpoint: a catalogued build ("r1-distill-qwen-7b@int4"), a
/// partial-traffic mixture (the claim with a share of another variant) or the open set ("unknown", per tokenizer).
/// For the open set, Variant is null and <see cref="Vocabulary"/> names its tokenizer family (null: a vocabulary outside the catalogue).
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

    /// <summary>The open set's tokenizer family ("qwen"), or null (another vocabulary, or not the open set).</summary>
    public string? Vocabulary { get; init; }

    /// <summary>
    /// The open set is split by tokenizer: "unknown" (a vocabulary outside the catalogue) and "unknown@qwen" etc. (a model
    /// outside the catalogue on a catalogued vocabulary, e.g. Qwen2.5-Instruct): token counts cannot tell the latter from
    /// the family's catalogued builds, so they must not count against it. Evidence keys it by this id; any other evidence
    /// is read from <see cref="UnknownId"/>. All of them are the one entity "unknown".
    /// </summary>
    public static string UnknownWithTokenizer(string tokenizer) => $"{UnknownId}@{tokenizer}";

    /// <summary>Whether an evidence key belongs to the open set rather than to a catalogued build.</summary>
    public static bool IsOpenSetKey(string key) => key == UnknownId || key == "other" || key.StartsWith(UnknownId + "@", StringComparison.Ordinal);

    /// <summary>
    /// Likelihood key of a two-request probe (the tokenizer pair): log P(observation | its two requests were answered
    /// by models with different tokenizers). Mixtures of two tokenizer families weigh it by 2s(1−s).
    /// </summary>
    public const string MixedPairId = "mixed-pair";

    public static string BuildId(string variant, string precision) => $"{variant}@{precision}";

    public static string MixtureId(string claim, string other, double share) =>
        $"mix:{claim}+{other}@{share.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>What a verdict names: the variant for builds, the mixture id, or "unknown".</summary>
    public string Entity => Kind switch { HypothesisKind.Build => Variant!, HypothesisKind.Unknown => UnknownId, _ => Id };
}
