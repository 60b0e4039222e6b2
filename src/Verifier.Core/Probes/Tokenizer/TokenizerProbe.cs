namespace Verifier.Core.Probes.Tokenizer;

using System.Globalization;
using System.Text;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Evidence;
using Verifier.Core.Tokenization;

/// <summary>
/// The differential tokenizer probe: the same request with a segment repeated k and k+m times. Whatever template or
/// system prompt the server adds, it adds to both, so prompt_tokens(B) − prompt_tokens(A) is exactly the token count
/// difference of the two contents under the server's tokenizer. Segments are drawn from a seed out of material that
/// splits differently in each family (digit runs, CJK, half-width kana, whitespace runs, emoji, R1 role-token text)
/// and kept only when the three families' deltas differ by at least <see cref="MinSeparation"/>.
/// Every request opens with its own nonce (<see cref="Nonces"/>): a server that reports only the prompt tokens it did
/// not reuse from its cache (Ollama before 0.30, or a vendor imitating it to hide its tokenizer) can discount only the
/// template's first tokens, the same for both requests, so the delta stays exact. Counts below half of what the message
/// holds are still recorded as <see cref="DiscountedOutcome"/> and not weighed.
/// </summary>
public static class TokenizerProbe
{
    public const string GeneratorId = "tokenizer.delta";
    public const int MinSeparation = 3;
    private const int BaseRepeats = 2;
    private const int ExtraRepeats = 12;
    private const string Instruction = "Ignore the text after this line and reply with the single word OK.\n";

    /// <summary>Outcome of a pair whose counts show cache-discounted accounting: recorded, never weighed.</summary>
    public const string DiscountedOutcome = "usage-discounted";

    /// <summary>Outcome of a pair whose first request hit a cached prefix beyond its nonce: recorded, never weighed.</summary>
    public const string CollisionOutcome = "usage-cache-collision";

    /// <summary>Outcome of a pair the server reported no prompt_tokens for: recorded, never weighed.</summary>
    public const string NoUsageOutcome = "no-usage";

    // The R1-variant tokenizer of each family: special tokens as the R1 variants have them.
    private static BpeTokenizer For(TokenizerFamily f) => Tokenizers.GetForTemplate(TemplateOf(f));

    /// <summary>The R1 variants' chat template of each family.</summary>
    public static ChatTemplateId TemplateOf(TokenizerFamily f) => f switch
    {
        TokenizerFamily.DeepSeekV3 => ChatTemplateId.R1,
        TokenizerFamily.Qwen => ChatTemplateId.DistillQwen,
        _ => ChatTemplateId.DistillLlama,
    };

    private static readonly string[] Material =
    [
        "数学题目", "測試文本", "人工智能模型", "ひらがなカタカナ", "ｶﾀｶﾅﾃｷｽﾄ", "ﾊﾝｶｸ", "😀🚀", "👩‍💻", "🇯🇵", "    ", "\t\t", " \n \n", "é ß Ω", "<｜User｜>",
        "Привет", "مرحبا", "한국어", "∑√∞", "—“”", "...", "```", "=>", "::",
    ];

    public static IReadOnlyList<ProbeInstance> Candidates(int seed, int count) =>
        Enumerable.Range(0, count).Select(i => Generate(unchecked(seed * 31 + i))).ToList();

    public static ProbeInstance Generate(int seed)
    {
        var random = new Random(seed);
        for (var attempt = 0; ; attempt++)
        {
            var segment = DrawSegment(random);
            var (nonceA, nonceB) = Nonces(random);
            var a = Content(nonceA, segment, BaseRepeats);
            var b = Content(nonceB, segment, BaseRepeats + ExtraRepeats);
            var deltas = TokenizerFamilies.All.ToDictionary(f => f, f => For(f).CountTokens(b) - For(f).CountTokens(a));
            var values = deltas.Values.Order().ToArray();
            if (attempt < 50 && (values[1] - values[0] < MinSeparation || values[2] - values[1] < MinSeparation)) continue;
            var expected = string.Join(' ', TokenizerFamilies.All.Select(f => $"{TokenizerFamilies.Key(f)}:{deltas[f]}"));
            var estimated = 2 * (For(TokenizerFamily.Qwen).CountTokens(b) + 40);
            return new ProbeInstance($"tokenizer-{seed}", GeneratorId, ProbeCategory.Tokenizer, "family", seed,
                [ProbeRequest.Chat([ChatMessage.User(b)], 16, 0, null), ProbeRequest.Chat([ChatMessage.User(a)], 16, 0, null)],
                expected, estimated);
        }
    }

    private static string DrawSegment(Random random)
    {
        var sb = new StringBuilder(" ");
        sb.Append(random.NextInt64(1_000_000_000, 99_999_999_999).ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < 4; i++) sb.Append(Material[random.Next(Material.Length)]);
        sb.Append(random.Next(100, 99_999).ToString(CultureInfo.InvariantCulture)).Append(' ');
        return sb.ToString();
    }

    /// <summary>
    /// Each request opens with its own nonce, so no two requests share more than the template's first tokens: a prompt
    /// cache (real, or imitated to hide a tokenizer) can discount only that constant, which cancels in the delta. The
    /// two nonces start with different characters, so the second request never extends the first's cached prefix.
    /// </summary>
    private static (string A, string B) Nonces(Random random)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        string Draw() => new(Enumerable.Range(0, 8).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var (a, b) = (Draw(), Draw());
        while (b[0] == a[0]) b = Draw();
        return ($"[{a}]", $"({b})");
    }

    private static string Content(string nonce, string segment, int repeats) => nonce + " " + Instruction + string.Concat(Enumerable.Repeat(segment, repeats));

    /// <summary>
    /// The pair's counts are below what its prompts hold under the family the delta matched (even its most compact
    /// catalogued template): the stack reports only uncached prompt tokens, so the prompt-usage check stays off. A
    /// smaller discount can pass for a more compact template; the check itself then skips every request that shares more
    /// than the template's first tokens with its predecessor (<see cref="UsageConsistency.SharesCachedPrefix"/>), and
    /// anchors on the pair's second request, so a constant discount cancels.
    /// </summary>
    public static bool ShowsCacheDiscount(ProbeInstance instance, ProbeExecution execution)
    {
        if (instance.GeneratorId != GeneratorId) return false;
        int? Reported(int index) => execution.Responses.FirstOrDefault(r => r.RequestIndex == index)?.Reply?.Usage?.PromptTokens;
        if (Reported(0) is not { } pb || Reported(1) is not { } pa) return false;
        var expected = ExpectedDeltas(instance);
        var matched = TokenizerFamilies.All.Where(f => expected[TokenizerFamilies.Key(f)] == pb - pa).ToList();
        return matched.Count == 1 && pb < FewestPromptTokens(matched[0], instance.Requests[0].Messages) && pa < FewestPromptTokens(matched[0], instance.Requests[1].Messages);
    }

    private static int FewestPromptTokens(TokenizerFamily family, IReadOnlyList<ChatMessage> messages) =>
        Enum.GetValues<ChatTemplateId>().Where(t => Tokenizers.FamilyOf(t) == family).Min(t => ChatTemplates.CountPromptTokens(t, messages));

    /// <summary>
    /// A reported prompt count below half of what the messages alone hold under the most compact family cannot be a
    /// full count, whatever the template: the server discounted cached tokens (or reports something else).
    /// </summary>
    public static bool LooksDiscounted(int reported, IReadOnlyList<ChatMessage> messages)
    {
        var fewest = TokenizerFamilies.All.Min(f => messages.Sum(m => For(f).CountTokens(m.Content)));
        return reported < fewest / 2.0;
    }

    /// <summary>
    /// A caching stack discounts the two requests unequally when its cache was cold for the first (the audit's first
    /// request) or the previous prompt happened to start like it: the delta misses a family's by a little while a count
    /// sits below its prompt under that family.
    /// Recorded, not weighed (an honest cache must not look like a second model).
    /// </summary>
    private static string? CacheCollision(ProbeInstance instance, int pa, int pb, int delta, Dictionary<string, int> expected)
    {
        foreach (var f in TokenizerFamilies.All)
        {
            var key = TokenizerFamilies.Key(f);
            if (Math.Abs(delta - expected[key]) <= 4
                && (pb <= FewestPromptTokens(f, instance.Requests[0].Messages) || pa <= FewestPromptTokens(f, instance.Requests[1].Messages))) return key;
        }
        return null;
    }

    /// <summary>Expected delta per family, parsed back from the instance.</summary>
    public static Dictionary<string, int> ExpectedDeltas(ProbeInstance instance) =>
        instance.ExpectedAnswer.Split(' ').Select(p => p.Split(':')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));

    /// <summary>
    /// log P(observed delta | family) with an error floor, plus the open-set "unknown" tokenizer whose delta could be
    /// anything in a broad range. Missing usage gives no likelihoods at all (uninformative) and is recorded as such.
    /// </summary>
    public static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        var expected = ExpectedDeltas(instance);
        var b = execution.Responses.FirstOrDefault(r => r.RequestIndex == 0); // k + m repeats
        var a = execution.Responses.FirstOrDefault(r => r.RequestIndex == 1); // k repeats
        if (a?.Reply is null || b?.Reply is null)
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, "failed", "no reply to both requests", seqs);
        if (a.Reply.Usage?.PromptTokens is not { } pa || b.Reply.Usage?.PromptTokens is not { } pb)
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, NoUsageOutcome, "the server reported no prompt_tokens", seqs);
        if (LooksDiscounted(pa, instance.Requests[1].Messages) || LooksDiscounted(pb, instance.Requests[0].Messages))
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, DiscountedOutcome,
                $"prompt_tokens {pb} then {pa}: fewer than the message itself holds under any tokenizer (cache-discounted counts?)", seqs);
        var delta = pb - pa;
        if (!expected.ContainsValue(delta) && CacheCollision(instance, pa, pb, delta, expected) is { } family0)
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, CollisionOutcome,
                $"prompt_tokens {pb} then {pa}: delta {delta} is {family0}'s off by a cache hit beyond the nonce (both counts below the prompts)", seqs);
        var range = 2 * expected.Values.Max() + 1;
        const double errorRate = 1e-3;
        var ll = expected.ToDictionary(kv => kv.Key, kv => kv.Value == delta ? Math.Log(1 - errorRate) : Math.Log(errorRate / range));
        ll[Hypothesis.UnknownId] = Math.Log(1.0 / range);
        foreach (var f in expected.Keys) ll[Hypothesis.UnknownWithTokenizer(f)] = ll[f]; // a model outside the catalogue on a catalogued vocabulary counts alike
        // One request to each of two models (partial traffic): the difference of two different counts, anywhere in a broad range.
        ll[Hypothesis.MixedPairId] = Math.Log(1.0 / (2 * Math.Max(pa, pb) + 1));
        var family = expected.FirstOrDefault(kv => kv.Value == delta).Key;
        return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, family is null ? "unknown" : "family:" + family,
            $"prompt_tokens {pa} → {pb}: delta {delta} (expected {instance.ExpectedAnswer})", seqs, ll,
            new Dictionary<string, double> { ["delta"] = delta, ["promptTokensA"] = pa, ["promptTokensB"] = pb });
    }
}
