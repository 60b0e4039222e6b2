namespace Verifier.Core.Probes.Fingerprint;

using System.Text.RegularExpressions;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;

/// <summary>
/// The weights fingerprint: a fixed set of short open-ended prompts ("border inputs": many continuations are nearly
/// tied, so different weights pick different ones), decoded greedily for a few tokens with <c>top_logprobs</c>.
/// Reference runs record every prompt; an audit compares the target's top-k log probabilities (or, when the server
/// returns none, its greedy text) with each build's reference (<see cref="Evidence.FingerprintModel"/>). The prompts are
/// fixed, not parametric: the comparison needs the reference's answer to the same prompt.
/// Sources: Chauvin et al., Log Probability Tracking of LLM APIs (ICLR 2026) — top-k logprobs of short prompts;
/// Chauvin et al., B3IT (arXiv 2602.11083) — greedy choices on border inputs for endpoints without logprobs.
/// </summary>
public static class FingerprintProbe
{
    public const string GeneratorId = "fingerprint.greedy";
    public const string Tier = "greedy";

    /// <summary>Tokens generated per request (the comparison stops at the first position the greedy paths part).</summary>
    public const int Tokens = 8;

    /// <summary>top_logprobs asked for (OpenAI's maximum); servers may return fewer (Together 0–20, some 5).</summary>
    public const int TopK = 20;

    /// <summary>The server refused the logprobs parameter (the DeepSeek API does): recorded, not weighed; the rest go text-only.</summary>
    public const string RefusedOutcome = "logprobs-refused";

    public const string LogprobsOutcome = "logprobs";

    /// <summary>
    /// The request's prompt_tokens do not show an unmodified context (a hidden system prompt, another template, no usage,
    /// cache-discounted counts). Text answers are recorded, not weighed; top-k logprobs are weighed only when they fit a
    /// reference (a changed context cannot match a reference's logprobs to within serving noise by chance, so a fit
    /// proves the context intact; a misfit may be the context and is not held against the vendor).
    /// </summary>
    public const string ContextUnverifiedOutcome = "context-unverified";
    public const string TextOutcome = "text";

    /// <summary>
    /// The self-consistency tier: one fingerprint prompt sent twice, the two answers compared with each other. It needs no
    /// reference, so it still works when the context cannot be compared with references (a hidden system prompt): under
    /// one model both answers agree to within serving noise; under a mixture, a pair split between two models does not.
    /// </summary>
    public const string RepeatTier = "repeat";
    public const string RepeatOutcome = "repeat", RepeatSameOutcome = "repeat-same", RepeatDiffersOutcome = "repeat-differs";

    // Each prompt starts with its own word: consecutive requests share no more than the template's first tokens, so a
    // prompt cache cannot blur the prompt-usage check on them.
    public static readonly IReadOnlyList<string> Prompts =
    [
        "Say one word that comes to mind.",
        "Colors: name one.",
        "Fruit: name one.",
        "Animals: name one.",
        "Pick a number between 1 and 100.",
        "Cities: name one.",
        "Give me a random first name.",
        "Instruments: name one.",
        "Africa has many countries; name one.",
        "Flowers: name one.",
        "Adjectives: say a random one.",
        "Scientists: name a famous one.",
        "Programming languages: name one.",
        "Sports: name one.",
        "Vegetables: name one.",
        "Write the first word of a story.",
        "Planets: name one.",
        "Tools: name one.",
        "Trees: name a type.",
        "Emotions: name one.",
        "Continue: The old lighthouse keeper",
        "Once upon a time",
        "In the beginning",
        "The reason is",
        "Complete the phrase: a bird in",
        "Board games: name one.",
        "Chemical elements: name one.",
        "Breakfast foods: name one.",
        "Verbs: name one.",
        "Rivers: name one.",
        "Birds: name one.",
        "Furniture: name a piece.",
        "Title a poem in one word.",
        "Desserts: name one.",
        "Holidays: name one.",
        "Mountains: name one.",
        "Fabrics: name one.",
        "Kitchen utensils: name one.",
        "Professions: name one.",
        "Ocean creatures: name one.",
        "Weather phenomena: name one.",
        "Gemstones: name one.",
        "Spices: name one.",
        "Dances: name one.",
        "Shapes: name one.",
        "Vehicles: name one.",
        "Languages: name one.",
        "Insects: name one.",
    ];

    /// <summary>Instance for prompt <paramref name="index"/> (the seed of a fingerprint probe is its prompt index).</summary>
    public static ProbeInstance Generate(int index)
    {
        var i = ((index % Prompts.Count) + Prompts.Count) % Prompts.Count;
        return new ProbeInstance($"fingerprint-{i:00}", GeneratorId, ProbeCategory.Fingerprint, Tier, i,
            [ProbeRequest.Chat([ChatMessage.User(Prompts[i])], Tokens, temperature: 0, topP: null) with { TopLogprobs = TopK }],
            "", 40);
    }

    /// <summary>
    /// Self-consistency instance <paramref name="index"/>: a prompt taken from the end of the list (the greedy tier starts
    /// at the front), sent twice.
    /// </summary>
    public static ProbeInstance GenerateRepeat(int index)
    {
        var once = Generate(Prompts.Count - 1 - index);
        return once with { ProbeId = $"fingerprint-repeat-{once.Seed:00}", Tier = RepeatTier, Seed = index, Requests = [once.Requests[0], once.Requests[0]], EstimatedTokens = 2 * once.EstimatedTokens };
    }

    public static bool IsRepeat(ProbeInstance instance) => instance.Category == ProbeCategory.Fingerprint && instance.Tier == RepeatTier;

    /// <summary>The same fingerprint request without the logprobs parameter (for servers that refuse it); other probes unchanged.</summary>
    public static ProbeInstance WithoutLogprobs(ProbeInstance instance) =>
        instance.GeneratorId != GeneratorId ? instance : instance with { Requests = instance.Requests.Select(r => r with { TopLogprobs = null }).ToList() };

    /// <summary>The prompt index of a fingerprint prompt (for simulated vendors), or -1.</summary>
    public static int IndexOf(string prompt)
    {
        for (var i = 0; i < Prompts.Count; i++) if (Prompts[i] == prompt) return i;
        return -1;
    }

    public static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        if (IsRepeat(instance)) return ScoreRepeat(instance, execution);
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        var response = execution.Responses.LastOrDefault(r => r.Delivered);
        if (response?.Reply is not { } reply)
        {
            var refused = response is { StatusCode: >= 400 and < 500 } && (response.Body ?? "").Contains("logprob", StringComparison.OrdinalIgnoreCase);
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, refused ? RefusedOutcome : "failed",
                refused ? "the server refused the logprobs parameter" : "no reply", seqs);
        }
        var observation = Observe(reply);
        var seen = $"greedy \"{Truncate(Shown(observation), 60)}\"{(observation.HasLogprobs ? $" with top-{observation.Tokens![0].Top.Count} logprobs" : " (text only)")}";
        if (UnverifiedContext(instance, reply) is { } why)
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, ContextUnverifiedOutcome, $"{seen}; {why}", seqs)
            { Fingerprint = observation.HasLogprobs ? observation : null };
        return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, observation.HasLogprobs ? LogprobsOutcome : TextOutcome, seen, seqs)
        { Fingerprint = observation };
    }

    /// <summary>
    /// Both answers of a self-consistency pair, compared by the engine (<see cref="Evidence.FingerprintModel.RepeatLogLikelihood"/>).
    /// The context need not be the plain prompt: both requests had the same one.
    /// </summary>
    private static ProbeOutcome ScoreRepeat(ProbeInstance instance, ProbeExecution execution)
    {
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        var answers = Enumerable.Range(0, instance.Requests.Count)
            .Select(i => execution.Responses.LastOrDefault(r => r.Delivered && r.RequestIndex == i)?.Reply).ToList();
        if (answers.Any(a => a is null))
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, "failed", "no reply to one of the two requests", seqs);
        var (first, second) = (Observe(answers[0]!), Observe(answers[1]!));
        var withLogprobs = first.HasLogprobs && second.HasLogprobs;
        var seen = $"twice the same prompt: \"{Truncate(Shown(first), 40)}\" and \"{Truncate(Shown(second), 40)}\"{(withLogprobs ? " with logprobs" : " (text only)")}";
        return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, RepeatOutcome, seen, seqs)
        { Repeat = new FingerprintPair(withLogprobs ? first : first with { Tokens = null }, withLogprobs ? second : second with { Tokens = null }) };
    }

    private static FingerprintObservation Observe(ChatReply reply) =>
        new(reply.Logprobs is { Count: > 0 } lp ? lp.Take(Tokens).ToList() : null, Normalize((reply.Reasoning ?? "") + " " + reply.Content));

    private static string Shown(FingerprintObservation o) => o.HasLogprobs ? string.Concat(o.Tokens!.Select(t => t.Token)) : o.Text;

    /// <summary>
    /// A fingerprint compares the weights' answers to the same context: weighed only when prompt_tokens shows the
    /// request was rendered as sent (a catalogued template's exact count, ±1 for a BOS token). A hidden system prompt, another
    /// template or counts a cache discounted make the context unknown: recorded, not weighed — never held against the vendor.
    /// </summary>
    private static string? UnverifiedContext(ProbeInstance instance, ChatReply reply)
    {
        if (reply.Usage?.PromptTokens is not { } reported) return "no prompt_tokens: the context the model saw cannot be verified";
        var messages = instance.Requests[0].Messages;
        var expected = Enum.GetValues<ChatTemplateId>().Select(t => ChatTemplates.CountPromptTokens(t, messages)).Distinct().Order().ToList();
        return expected.Any(e => Math.Abs(reported - e) <= 1) ? null
            : $"prompt_tokens {reported} where the plain prompt renders to {string.Join(" / ", expected)} tokens: the vendor changed the context (hidden system prompt, template or cache accounting)";
    }

    /// <summary>Generated text as compared between builds: think tags dropped, whitespace runs collapsed.</summary>
    public static string Normalize(string text) =>
        Regex.Replace(text.Replace("<think>", " ", StringComparison.Ordinal).Replace("</think>", " ", StringComparison.Ordinal), @"\s+", " ").Trim();

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}
