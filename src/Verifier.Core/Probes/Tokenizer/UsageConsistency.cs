namespace Verifier.Core.Probes.Tokenizer;

using System.Globalization;
using Verifier.Core.Audits;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Evidence;
using Verifier.Core.Tokenization;

/// <summary>
/// Every single-message chat request's usage.prompt_tokens, compared with the audit's first one (the anchor): under one
/// model the difference is exactly the difference of the two rendered prompts' token counts under its tokenizer (the
/// template and any hidden system prompt cancel). A request answered by another model — partial traffic — breaks
/// the equation, so each capability request doubles as tokenizer evidence at no extra cost.
/// </summary>
public static class UsageConsistency
{
    public const string Tier = "usage";
    private const double ErrorRate = 1e-3;

    /// <summary>The anchor request: its rendered prompt's tokens per family and the prompt_tokens the target reported.</summary>
    public sealed record Anchor(IReadOnlyDictionary<string, int> Tokens, int PromptTokens, int? ExchangeSequence);

    /// <summary>
    /// What the audit knows of the target's prompt accounting. The check runs only once a tokenizer pair matched a family
    /// exactly (the counts are the tokenizer's), and never after a pair showed cache-discounted counts.
    /// </summary>
    public sealed record Tracker(Anchor? Anchor = null, bool Verified = false, bool Discounted = false)
    {
        public bool Active => Anchor is not null && Verified && !Discounted;

        /// <summary>Folds in a probe that has been scored (<paramref name="outcomeKey"/> is its scorer's outcome).</summary>
        public Tracker After(ProbeInstance instance, ProbeExecution execution, string? outcomeKey) => this with
        {
            Anchor = Anchor ?? TryAnchor(instance, execution),
            Verified = Verified || (instance.Category == ProbeCategory.Tokenizer && outcomeKey?.StartsWith("family:", StringComparison.Ordinal) == true),
            Discounted = Discounted || (instance.Category == ProbeCategory.Tokenizer
                && (outcomeKey is TokenizerProbe.DiscountedOutcome or TokenizerProbe.CollisionOutcome || TokenizerProbe.ShowsCacheDiscount(instance, execution))),
        };
    }

    /// <summary>The single-message chat responses of a probe that reported prompt_tokens, with their tokens per family.</summary>
    private static IEnumerable<(ProbeResponse Response, int Reported, Dictionary<string, int> Tokens)> Eligible(ProbeInstance instance, ProbeExecution execution)
    {
        foreach (var r in execution.Responses)
        {
            if (r.Reply?.Usage?.PromptTokens is not { } reported || r.RequestIndex >= instance.Requests.Count) continue;
            var request = instance.Requests[r.RequestIndex];
            if (request.Kind != ProbeRequestKind.Chat || request.Messages is not [{ Role: "user" }]) continue;
            yield return (r, reported, TokenizerFamilies.All.ToDictionary(TokenizerFamilies.Key, f => ChatTemplates.CountPromptTokens(TokenizerProbe.TemplateOf(f), request.Messages)));
        }
    }

    public static Anchor? TryAnchor(ProbeInstance instance, ProbeExecution execution) =>
        Eligible(instance, execution).Select(e => new Anchor(e.Tokens, e.Reported, e.Response.ExchangeSequence)).FirstOrDefault();

    /// <summary>
    /// Evidence from a probe with exactly one eligible response (capability and behaviour probes; the tokenizer pair
    /// carries its own), or null. Likelihoods use the tokenizer probe's keys, including the mixed-pair case (the anchor
    /// and this request answered by different models).
    /// </summary>
    public static ProbeOutcome? Check(Anchor anchor, ProbeInstance instance, ProbeExecution execution)
    {
        if (instance.Category == ProbeCategory.Tokenizer) return null;
        var eligible = Eligible(instance, execution).ToList();
        if (eligible is not [var (response, reported, tokens)] || TokenizerProbe.LooksDiscounted(reported, instance.Requests[response.RequestIndex].Messages)) return null;
        var observed = reported - anchor.PromptTokens;
        var expected = tokens.ToDictionary(kv => kv.Key, kv => kv.Value - anchor.Tokens[kv.Key]);
        var range = 2 * Math.Max(Math.Abs(observed), expected.Values.Max(Math.Abs)) + 1;
        var ll = expected.ToDictionary(kv => kv.Key, kv => kv.Value == observed ? Math.Log(1 - ErrorRate) : Math.Log(ErrorRate / range));
        ll[Hypothesis.UnknownId] = Math.Log(1.0 / range);
        ll[Hypothesis.MixedPairId] = Math.Log(1.0 / (2 * Math.Max(reported, anchor.PromptTokens) + 1));
        var family = expected.FirstOrDefault(kv => kv.Value == observed).Key;
        var sequences = new[] { anchor.ExchangeSequence, response.ExchangeSequence }.OfType<int>().ToList();
        return new ProbeOutcome($"usage:{instance.ProbeId}", ProbeCategory.Tokenizer, Tier, family is null ? "unknown" : "family:" + family,
            string.Create(CultureInfo.InvariantCulture, $"prompt_tokens {reported} vs anchor {anchor.PromptTokens}: {observed} (expected {string.Join(' ', expected.Select(kv => $"{kv.Key}:{kv.Value}"))})"),
            sequences, ll);
    }
}
