namespace Verifier.Core.Reports;

using System.Globalization;
using Verifier.Core.Catalog;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;

/// <summary>
/// The words a report uses for numbers and internal keys: probabilities as percentages (never scientific notation),
/// hypotheses by their catalogue names, and a sentence for every way evidence is weighed and every outcome key a
/// reader would otherwise see raw. The lookup tables are public so tests can check that nothing is left unworded.
/// </summary>
public static class ReportWording
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"99.2 %", "< 0.01 %", "> 99.99 %": how sure, for people.</summary>
    public static string Percent(double p) => p switch
    {
        <= 0 => "0 %",
        < 1e-4 => "< 0.01 %",
        >= 1 => "100 %",
        > 0.9999 => "> 99.99 %",
        _ => (100 * p).ToString("0.##", Inv) + " %",
    };

    /// <summary>A threshold as a percentage with two significant digits, however small ("0.0092 %").</summary>
    public static string Threshold(double p)
    {
        if (p <= 0) return "0 %";
        var percent = 100 * p;
        var digits = Math.Max(0, 1 - (int)Math.Floor(Math.Log10(percent)));
        return Math.Round(percent, Math.Min(digits, 15)).ToString("0.###############", Inv) + " %";
    }

    /// <summary>"1 audit in 1,000" for 0.001.</summary>
    public static string OneIn(double rate) => rate <= 0 ? "no audit" : "1 audit in " + Math.Round(1 / rate).ToString("N0", Inv);

    /// <summary>A hypothesis id by its catalogue name: "DeepSeek-R1 (671B) at fp8", "a model outside the catalogue", mixtures spelled out.</summary>
    public static string Hypothesis(string id, VariantCatalog? catalog = null)
    {
        catalog ??= VariantCatalog.Default;
        if (id == Verifier.Core.Evidence.Hypothesis.UnknownId) return "a model outside the catalogue";
        if (id.StartsWith(Verifier.Core.Evidence.Hypothesis.UnknownId + "@", StringComparison.Ordinal))
            return $"a model outside the catalogue on the {id[(Verifier.Core.Evidence.Hypothesis.UnknownId.Length + 1)..]} vocabulary";
        if (id.StartsWith("mix:", StringComparison.Ordinal))
        {
            var at = id.LastIndexOf('@');
            var builds = id[4..at].Split('+');
            var share = double.Parse(id[(at + 1)..], Inv);
            return builds.Length == 2
                ? $"a mix: {Percent(share)} of requests answered by {Hypothesis(builds[1], catalog)}, the rest by {Hypothesis(builds[0], catalog)}"
                : "a mix of models";
        }
        var parts = id.Split('@');
        var name = catalog.Find(parts[0])?.DisplayName ?? parts[0];
        return parts.Length == 2 ? $"{name} at {parts[1]}" : name;
    }

    /// <summary>What each way of weighing evidence means (keys: <see cref="Weighings"/>).</summary>
    public static IReadOnlyDictionary<string, string> WeighingSentences { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Weighings.Deterministic] = "A hard fact: each catalogued model either produces this or not (with a small allowance for error), so it weighs heavily.",
        [Weighings.CapabilityReference] = "Weighed against pass rates measured in reference runs of trusted deployments.",
        [Weighings.CapabilityWeakPrior] = "Weighed only against published benchmark scores — a weak prior that can never decide a verdict on its own.",
        [Weighings.KeyedReference] = "Weighed against the outcomes seen in reference runs of trusted deployments.",
        [Weighings.WithinClaim] = "Fits no reference: weighed only among the claimed model's own builds and its mixes with others, never for or against the claim itself.",
    };

    /// <summary>The weighing in words; an unscored observation says why it did not count.</summary>
    public static string Weighing(string? weighing) => weighing switch
    {
        null or "" => "Not weighed.",
        _ when weighing.StartsWith(Weighings.NotScoredPrefix, StringComparison.Ordinal) => "Did not count: " + NotScoredReason(weighing[Weighings.NotScoredPrefix.Length..]),
        _ => WeighingSentences.TryGetValue(weighing, out var s) ? s : "Weighed by the engine's likelihood model.",
    };

    private static string NotScoredReason(string why) => why switch
    {
        "target fault (no delivered response)" => "the server delivered no usable response.",
        _ => why.TrimEnd('.') + ".",
    };

    /// <summary>What a probe of each category tests.</summary>
    public static IReadOnlyDictionary<ProbeCategory, string> CategorySentences { get; } = new Dictionary<ProbeCategory, string>
    {
        [ProbeCategory.Tokenizer] = "Token counting (tokenizer fingerprint): how many tokens the server counts for a repeated piece of text",
        [ProbeCategory.Metadata] = "What the server says about itself (/v1/models), recorded and checked, never trusted",
        [ProbeCategory.LongContext] = "Long-context recall: a passkey hidden in a long prompt",
        [ProbeCategory.Reasoning] = "A freshly generated reasoning problem with a computed answer",
        [ProbeCategory.Code] = "A freshly generated programming task, run in a sandbox against hidden tests",
        [ProbeCategory.Behaviour] = "Reasoning behaviour: whether and where the model thinks aloud",
        [ProbeCategory.Fingerprint] = "Weights fingerprint: the most likely next tokens of a fixed short prompt, compared with reference runs",
    };

    public static string Category(string category, string? tier)
    {
        if (category == nameof(ProbeCategory.Fingerprint) && tier == Probes.Fingerprint.FingerprintProbe.RepeatTier)
            return "Weights self-consistency: the same fixed short prompt sent twice, the two answers compared with each other";
        var what = Enum.TryParse<ProbeCategory>(category, out var c) && CategorySentences.TryGetValue(c, out var s) ? s : "A probe";
        return tier is { Length: 2 } && tier[0] == 't' && char.IsDigit(tier[1]) ? $"{what} (difficulty {tier[1]} of 4)" : what;
    }

    /// <summary>Fixed outcome keys in words; prefixed keys ("family:qwen") are worded by <see cref="Outcome"/>.</summary>
    public static IReadOnlyDictionary<string, string> OutcomeSentences { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["pass"] = "Answered correctly.",
        ["fail"] = "Answered wrongly.",
        ["failed"] = "No usable answer.",
        ["no-answer"] = "No answer in the expected form.",
        ["unknown"] = "The counts match no catalogued tokenizer.",
        ["unreadable"] = "The model list could not be read.",
        ["no-claims"] = "The server named no model.",
        ["claims"] = "The server's own description of its model.",
        ["no-usage"] = "The server reported no token counts.",
        ["usage-discounted"] = "The server discounted its token counts (a prompt cache); never held against it.",
        ["usage-cache-collision"] = "A prompt cache disturbed the counts; never held against the server.",
        ["logprobs-refused"] = "The server refused to return token probabilities.",
        ["logprobs"] = "Token probabilities returned and compared.",
        ["text"] = "Greedy text compared (no token probabilities returned).",
        ["context-unverified"] = "The prompt may not have reached the model unchanged, so it was not compared.",
        ["repeat-same"] = "Both answers agree to within serving noise: one model answered both (evidence against a mix of models).",
        ["repeat-differs"] = "The two answers differ beyond serving noise: two models, or a stack noisier than the references (counted at most 20×, once).",
        ["(other)"] = "An outcome no reference run showed.",
    };

    public static string? Outcome(string? key)
    {
        if (string.IsNullOrEmpty(key)) return null;
        if (OutcomeSentences.TryGetValue(key, out var s)) return s;
        if (key.StartsWith("family:", StringComparison.Ordinal)) return $"The counts match the {key[7..]} tokenizer family.";
        if (key.StartsWith("lookalike:", StringComparison.Ordinal)) return $"The prompt count is exactly that of the {key[10..]} chat template (a look-alike model).";
        return null; // the observed text says it; a raw key is never printed
    }

    /// <summary>One evidence row as a sentence: what was tested, what was seen, what it means, how it was weighed.</summary>
    public static string Evidence(string category, string? tier, string? outcome, string observed, string? weighing)
    {
        var parts = new List<string> { Category(category, tier) + "." };
        if (observed.Length > 0) parts.Add("Observed: " + Trim(observed, 300).TrimEnd('.') + ".");
        if (Outcome(outcome) is { } o) parts.Add(o);
        parts.Add(Weighing(weighing));
        return string.Join(" ", parts);
    }

    public static string Trim(string s, int max) => s.Length <= max ? s : s[..max] + "… (" + (s.Length - max).ToString("N0", Inv) + " more characters)";
}
