namespace Verifier.Core.Probes.Tokenizer;

using System.Globalization;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
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

    /// <summary>
    /// The anchor request: its rendered prompt's tokens per family, the prompt_tokens the target reported, and the family
    /// its own probe (a tokenizer pair) matched, if any: which model answered the anchor.
    /// </summary>
    public sealed record Anchor(IReadOnlyDictionary<string, int> Tokens, int PromptTokens, int? ExchangeSequence, string? Family = null);

    /// <summary>
    /// What the audit knows of the target's prompt accounting. The check runs only once a tokenizer pair matched a family
    /// exactly (the counts are the tokenizer's), and never after a pair showed cache-discounted counts.
    /// </summary>
    public sealed record Tracker(Anchor? Anchor = null, bool Verified = false, bool Discounted = false)
    {
        public bool Active => Anchor is not null && Verified && !Discounted;

        /// <summary>The messages of the last chat request sent (a prompt cache discounts what a request shares with it).</summary>
        public IReadOnlyList<ChatMessage>? Previous { get; init; }

        /// <summary>Folds in a probe that has been scored (<paramref name="outcomeKey"/> is its scorer's outcome).</summary>
        public Tracker After(ProbeInstance instance, ProbeExecution execution, string? outcomeKey) => this with
        {
            Anchor = Anchor ?? (TryAnchor(instance, execution) is { } a
                ? a with { Family = instance.Category == ProbeCategory.Tokenizer && outcomeKey?.StartsWith("family:", StringComparison.Ordinal) == true ? outcomeKey[7..] : null }
                : null),
            Previous = instance.Requests.LastOrDefault(r => r.Kind == ProbeRequestKind.Chat)?.Messages ?? Previous,
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

    /// <summary>
    /// The anchor is the probe's last eligible response: for the tokenizer pair the second request, whose predecessor is
    /// known (its pair's first, sharing only the template's first tokens), so a prompt cache discounts it as it discounts
    /// later requests — never the audit's very first request, which a cold cache does not discount.
    /// </summary>
    public static Anchor? TryAnchor(ProbeInstance instance, ProbeExecution execution) =>
        Eligible(instance, execution).Select(e => new Anchor(e.Tokens, e.Reported, e.Response.ExchangeSequence)).LastOrDefault();

    /// <summary>
    /// Whether the request shares more of its rendered prompt with the previous request than any two prompts share (the
    /// template's first tokens): a prompt cache would discount the extra, so a count that fits no family is not compared.
    /// </summary>
    public static bool SharesCachedPrefix(IReadOnlyList<ChatMessage> messages, IReadOnlyList<ChatMessage>? previous)
    {
        if (previous is null) return false;
        foreach (var f in TokenizerFamilies.All)
        {
            var template = TokenizerProbe.TemplateOf(f);
            var tokenizer = Tokenizers.GetForTemplate(template);
            var current = tokenizer.Encode(ChatTemplates.Render(template, messages));
            int Common(int[] other) { var n = 0; while (n < current.Length && n < other.Length && current[n] == other[n]) n++; return n; }
            if (Common(tokenizer.Encode(ChatTemplates.Render(template, previous))) > Common(tokenizer.Encode(ChatTemplates.Render(template, [ChatMessage.User("\u2603")])))) return true;
        }
        return false;
    }

    /// <summary>
    /// Evidence from a probe with exactly one eligible response (capability and behaviour probes; the tokenizer pair
    /// carries its own), or null. Likelihoods use the tokenizer probe's keys, including the mixed-pair case (the anchor
    /// and this request answered by different models).
    /// </summary>
    public static ProbeOutcome? Check(Anchor anchor, IReadOnlyList<ChatMessage>? previous, ProbeInstance instance, ProbeExecution execution)
    {
        if (instance.Category == ProbeCategory.Tokenizer) return null;
        var eligible = Eligible(instance, execution).ToList();
        // A self-consistency pair sends one prompt twice: the first is checked (a prompt cache may discount all of the second).
        if (Fingerprint.FingerprintProbe.IsRepeat(instance)) eligible = eligible.Where(e => e.Response.RequestIndex == 0).ToList();
        if (eligible is not [var (response, reported, tokens)] || TokenizerProbe.LooksDiscounted(reported, instance.Requests[response.RequestIndex].Messages)) return null;
        var observed = reported - anchor.PromptTokens;
        var expected = tokens.ToDictionary(kv => kv.Key, kv => kv.Value - anchor.Tokens[kv.Key]);
        var range = 2 * Math.Max(Math.Abs(observed), expected.Values.Max(Math.Abs)) + 1;
        var ll = expected.ToDictionary(kv => kv.Key, kv => kv.Value == observed ? Math.Log(1 - ErrorRate) : Math.Log(ErrorRate / range));
        ll[Hypothesis.UnknownId] = Math.Log(1.0 / range);
        foreach (var f in expected.Keys) ll[Hypothesis.UnknownWithTokenizer(f)] = ll[f]; // a model outside the catalogue on a catalogued vocabulary counts alike
        ll[Hypothesis.MixedPairId] = Math.Log(1.0 / (2 * Math.Max(reported, anchor.PromptTokens) + 1));
        var family = expected.FirstOrDefault(kv => kv.Value == observed).Key;
        // A count that fits no family, for a request sharing more than the template with its predecessor, may be a prompt
        // cache's discount: not compared. (A count that fits is compared: a cache cannot make a count fit.)
        if (family is null && SharesCachedPrefix(instance.Requests[response.RequestIndex].Messages, previous)) return null;
        var sequences = new[] { anchor.ExchangeSequence, response.ExchangeSequence }.OfType<int>().ToList();
        return new ProbeOutcome($"usage:{instance.ProbeId}", ProbeCategory.Tokenizer, Tier, family is null ? "unknown" : "family:" + family,
            string.Create(CultureInfo.InvariantCulture, $"prompt_tokens {reported} vs anchor {anchor.PromptTokens}: {observed} (expected {string.Join(' ', expected.Select(kv => $"{kv.Key}:{kv.Value}"))})"),
            sequences, ll) { AnchorFamily = anchor.Family };
    }
}
