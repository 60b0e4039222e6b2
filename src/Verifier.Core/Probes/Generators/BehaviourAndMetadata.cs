namespace Verifier.Core.Probes.Generators;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;

/// <summary>
/// Behaviour: where the reasoning sits (separate field, &lt;think&gt; in content, a closing tag only, none, an
/// empty think block), its length and the finish reason. Outcome keys are weighed only where reference runs
/// measured them (the engine learns their distribution per variant); the features go into the report.
/// </summary>
public sealed partial class ReasoningStyleGenerator : IProbeGenerator
{
    public string Id => "behaviour.reasoning-style";
    public ProbeCategory Category => ProbeCategory.Behaviour;
    public IReadOnlyList<string> Tiers => ["style"];

    public ProbeInstance Generate(int seed, string tier, int maxTokens)
    {
        var random = new Random(seed);
        int a = random.Next(10, 99), b = random.Next(10, 99);
        return new ProbeInstance($"{Id}-{seed}", Id, Category, tier, seed,
            [ProbeRequest.Chat([ChatMessage.User($"Quick check: what is {a} + {b}? Answer within \\boxed{{}}.")], maxTokens)], (a + b).ToString(CultureInfo.InvariantCulture), maxTokens / 2 + 60);
    }

    /// <summary>The reply's reasoning style; tags still in the content (a reply not parsed from the wire) are split here.</summary>
    public static string StyleKey(ChatReply reply)
    {
        if (reply.Reasoning is { } r) return string.IsNullOrWhiteSpace(r) ? "empty-think" : "reasoning-field";
        var (_, reasoning, style) = ChatReply.SplitThink(reply.Content);
        if (reasoning is null) return "no-reasoning";
        if (string.IsNullOrWhiteSpace(reasoning)) return "empty-think";
        return style == ReasoningStyle.ThinkTags ? "think-open" : "think-close-only";
    }

    public ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var (reply, seqs) = ProbeGenerators.LastReply(execution);
        if (reply is null) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "no-answer", "no reply delivered", seqs);
        var key = StyleKey(reply);
        var kind = Kind(key);
        var ll = VariantCatalog.Default.Variants.ToDictionary(v => v.Id, v => Math.Log(Expected(v)[kind]));
        ll["unknown"] = Math.Log(1.0 / 3);
        var reasoning = reply.Reasoning ?? ChatReply.SplitThink(reply.Content).Reasoning ?? "";
        var cjk = reply.Content.Count(c => c is >= '\u4e00' and <= '\u9fff');
        return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, key,
            $"{key}, reasoning {reasoning.Length} chars, finish {reply.FinishReason ?? "?"}", seqs, ll,
            new Dictionary<string, double> { ["reasoningChars"] = reasoning.Length, ["cjkShare"] = reply.Content.Length == 0 ? 0 : (double)cjk / reply.Content.Length });
    }

    /// <summary>
    /// Whether a variant reasons is a catalog fact; R1-family models sometimes skip thinking (an empty think block),
    /// and a non-reasoning model may imitate it, hence the soft probabilities.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Expected(Variant v) => v.Behaviour.Reasons
        ? new Dictionary<string, double> { ["reasoning"] = 0.9, ["empty"] = 0.08, ["none"] = 0.02 }
        : new Dictionary<string, double> { ["reasoning"] = 0.02, ["empty"] = 0.1, ["none"] = 0.88 };

    public static string Kind(string styleKey) => styleKey switch { "empty-think" => "empty", "no-reasoning" => "none", _ => "reasoning" };

    public SolvedPrompt? TrySolve(string prompt)
    {
        var m = Rx().Match(prompt);
        if (!m.Success) return null;
        var sum = (int.Parse(m.Groups["a"].Value, CultureInfo.InvariantCulture) + int.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);
        return new SolvedPrompt(Id, Category, "style", sum, MathGenerator.WrongAnswers(sum));
    }

    [GeneratedRegex(@"^Quick check: what is (?<a>\d+) \+ (?<b>\d+)\?")]
    private static partial Regex Rx();
}

/// <summary>
/// Claims the serving stack makes about itself (GET /v1/models: vLLM max_model_len and root, llama.cpp meta). Recorded
/// and checked for consistency with each variant, never trusted: a consistent claim is only 1.5 times likelier than
/// an inconsistent one, so claims can never decide a verdict on their own.
/// </summary>
public sealed class ModelsMetadataGenerator : IProbeGenerator
{
    public const double ConsistentWeight = 0.6;

    public string Id => "metadata.models";
    public ProbeCategory Category => ProbeCategory.Metadata;
    public IReadOnlyList<string> Tiers => ["claims"];

    public ProbeInstance Generate(int seed, string tier, int maxTokens) =>
        // Ranked as if it cost 2,000 tokens: its information cannot be predicted, and it should follow the first tokenizer probe.
        new($"{Id}-{seed}", Id, Category, tier, seed, [ProbeRequest.Get("/v1/models")], "", 2000);

    public ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        var body = execution.Responses.LastOrDefault(r => r.Delivered)?.Body ?? (execution.Responses.Count > 0 ? execution.Responses[^1].Reply?.Content : null);
        var claims = new Dictionary<string, double>();
        string observed;
        try
        {
            using var doc = JsonDocument.Parse(body ?? "");
            var first = doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0 ? data[0] : default;
            if (first.ValueKind == JsonValueKind.Object)
            {
                if (first.TryGetProperty("max_model_len", out var len) && len.TryGetInt64(out var l)) claims["maxModelLen"] = l;
                if (first.TryGetProperty("meta", out var meta) && meta.ValueKind == JsonValueKind.Object)
                {
                    if (meta.TryGetProperty("n_ctx_train", out var ctx) && ctx.TryGetInt64(out var c)) claims["maxModelLen"] = c;
                    if (meta.TryGetProperty("n_vocab", out var nv) && nv.TryGetInt64(out var v)) claims["vocab"] = v;
                    if (meta.TryGetProperty("n_embd", out var ne) && ne.TryGetInt64(out var h)) claims["hidden"] = h;
                }
            }
            observed = $"id={Text(first, "id")} root={Text(first, "root")} owned_by={Text(first, "owned_by")} " + string.Join(' ', claims.Select(kv => $"{kv.Key}={kv.Value}"));
        }
        catch (JsonException)
        {
            return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "unreadable", "no JSON model list", seqs);
        }
        if (claims.Count == 0) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "no-claims", observed, seqs);
        var ll = VariantCatalog.Default.Variants.ToDictionary(v => v.Id, v => Math.Log(Consistent(v, claims) ? ConsistentWeight : 1 - ConsistentWeight));
        return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "claims", observed, seqs, ll, claims);
    }

    private static bool Consistent(Variant v, Dictionary<string, double> claims) =>
        (!claims.TryGetValue("maxModelLen", out var len) || len <= v.ContextWindow)
        && (!claims.TryGetValue("vocab", out var vocab) || (int)vocab == v.Architecture.VocabSize)
        && (!claims.TryGetValue("hidden", out var hidden) || (int)hidden == v.Architecture.HiddenSize);

    private static string Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ToString() : "-";

    public SolvedPrompt? TrySolve(string prompt) => null;
}
