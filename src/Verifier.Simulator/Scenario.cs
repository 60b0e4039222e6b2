namespace Verifier.Simulator;

using System.Text.Json;
using System.Text.Json.Serialization;
using Verifier.Core.Catalog;

/// <summary>One model a simulated vendor serves, with its share of the traffic. Variant is a catalogued build ("r1-distill-qwen-7b@int4") or "outside:NAME".</summary>
public sealed record ServedShare(string Variant, double Weight = 1.0);

/// <summary>A change of what is served, after a request count or a time since start (a vendor switching mid-contract).</summary>
public sealed record TruthSwitch(int? AfterRequests, double? AfterSeconds, IReadOnlyList<ServedShare> Truth);

/// <summary>What the vendor says about itself (never evidence of anything on its own).</summary>
public sealed record Claims(
    string Model = "deepseek-r1",
    string? Root = null,
    string? OwnedBy = null,
    long? MaxModelLen = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? SystemFingerprint = null);

/// <summary>Per-model behaviour overrides; anything missing comes from the catalog's published scores and facts.</summary>
public sealed record Behaviour(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? PassRates = null,
    int? ReasoningTokens = null,
    double? EmptyThinkRate = null,
    int? ContextWindow = null,
    double? Noise = null,
    bool? Reasons = null);

public sealed record Distribution(double Mean, double Sd = 0);

public sealed record Performance(Distribution? TtftMs = null, Distribution? TokensPerSecond = null);

/// <summary>
/// What the stack returns for <c>logprobs</c> requests. Returned: default per dialect (vLLM, SGLang, llama.cpp yes;
/// the DeepSeek API refuses the parameter; Ollama's OpenAI endpoint drops it). TopK: most alternatives listed (20 by
/// default, some stacks 5). ServingSameTopToken: share of positions whose greedy token survives this stack's serving
/// noise (0.99 by default, Thinking Machines 2025; 1 = batch-invariant kernels).
/// </summary>
public sealed record LogprobOptions(bool? Returned = null, int? TopK = null, double? ServingSameTopToken = null);

public sealed record Faults(double Rate429 = 0, double Rate500 = 0, double TimeoutRate = 0, double TruncatedRate = 0, double MalformedRate = 0, double TimeoutSeconds = 30);

/// <summary>The truth label the accuracy bench scores a verdict against.</summary>
public sealed record Expectation(bool Honest, string? Variant = null, string? Family = null, bool Mixture = false);

/// <summary>A simulated vendor (probes/scenarios/README.md, schema in scenario.schema.json). SIMULATION: not a real endpoint.</summary>
public sealed record Scenario(
    string Name,
    string ClaimedVariant,
    IReadOnlyList<ServedShare> Truth,
    Expectation Expect,
    string Dialect = "vllm",
    int Seed = 1,
    string? Description = null,
    TruthSwitch? Switch = null,
    Claims? Claims = null,
    string? ReasoningStyle = null,
    bool Usage = true,
    bool PromptCache = false,
    string? HiddenSystemPrompt = null,
    IReadOnlyDictionary<string, Behaviour>? Behaviour = null,
    Performance? Performance = null,
    Faults? Faults = null,
    LogprobOptions? Logprobs = null)
{
    /// <summary>Whether this stack returns logprobs (detection-sources.md, "Who returns logprobs"), unless the scenario says.</summary>
    public bool ReturnsLogprobs => Logprobs?.Returned ?? Dialect is "vllm" or "sglang" or "llamacpp";
    public static readonly string[] Styles = ["field", "think-tags", "closing-only", "none"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static Scenario Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Scenario file '{path}' does not exist.", path);
        return Parse(File.ReadAllText(path), path);
    }

    public static Scenario Parse(string json, string name = "scenario")
    {
        Scenario? scenario;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("$schema", out _))
                json = JsonSerializer.Serialize(root.EnumerateObject().Where(p => p.Name != "$schema").ToDictionary(p => p.Name, p => p.Value));
            scenario = JsonSerializer.Deserialize<Scenario>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: {(e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') + ": " : "")}{e.Message}", e);
        }
        if (scenario is null) throw new InvalidDataException($"{name}: empty scenario.");
        var problems = Validate(scenario);
        if (problems.Count > 0) throw new InvalidDataException($"{name}: {string.Join("; ", problems)}");
        return scenario;
    }

    public static IReadOnlyList<string> Validate(Scenario s)
    {
        var problems = new List<string>();
        var catalog = VariantCatalog.Default;
        if (string.IsNullOrWhiteSpace(s.Name)) problems.Add("name: must not be empty");
        if (!catalog.IsKnownBuild(s.ClaimedVariant ?? "")) problems.Add($"claimedVariant: '{s.ClaimedVariant}' is not a catalogued variant");
        if (!Verifier.Targets.Http.Dialects.Names.Contains(s.Dialect)) problems.Add($"dialect: '{s.Dialect}' is not one of {string.Join(", ", Verifier.Targets.Http.Dialects.Names)}");
        if (s.ReasoningStyle is not null && !Styles.Contains(s.ReasoningStyle)) problems.Add($"reasoningStyle: '{s.ReasoningStyle}' is not one of {string.Join(", ", Styles)}");
        CheckTruth(s.Truth, "truth", problems);
        if (s.Switch is { } sw)
        {
            if (sw.AfterRequests is null == sw.AfterSeconds is null) problems.Add("switch: give exactly one of afterRequests and afterSeconds");
            if (sw.AfterRequests is < 0 || sw.AfterSeconds is < 0) problems.Add("switch: must not be negative");
            CheckTruth(sw.Truth, "switch.truth", problems);
        }
        if (s.Expect is null) problems.Add("expect: the truth label is required");
        else if (s.Expect.Variant is { } ev && !catalog.IsKnownBuild(ev) && !OutsideModels.IsOutside(ev)) problems.Add($"expect.variant: '{ev}' is neither catalogued nor outside:NAME");
        if (s.Faults is { } f)
            foreach (var (field, rate) in new[] { ("rate429", f.Rate429), ("rate500", f.Rate500), ("timeoutRate", f.TimeoutRate), ("truncatedRate", f.TruncatedRate), ("malformedRate", f.MalformedRate) })
                if (rate is < 0 or > 1) problems.Add($"faults.{field}: must be between 0 and 1");
        if (s.Logprobs is { } lp)
        {
            if (lp.TopK is < 0 or > 20) problems.Add("logprobs.topK: must be between 0 and 20");
            if (lp.ServingSameTopToken is <= 0.3 or > 1) problems.Add("logprobs.servingSameTopToken: must be in (0.3, 1]");
        }
        if (s.Faults is { } ff && ff.Rate429 + ff.Rate500 + ff.TimeoutRate + ff.TruncatedRate + ff.MalformedRate > 1) problems.Add("faults: the rates add up to more than 1");
        foreach (var (key, b) in s.Behaviour ?? new Dictionary<string, Behaviour>())
        {
            if (key != "*" && !catalog.IsKnownBuild(key) && !OutsideModels.IsOutside(key)) problems.Add($"behaviour.{key}: not a served variant (use a variant id, outside:NAME or *)");
            foreach (var (category, tiers) in b.PassRates ?? new Dictionary<string, IReadOnlyDictionary<string, double>>())
                foreach (var (tier, p) in tiers)
                    if (p is < 0 or > 1) problems.Add($"behaviour.{key}.passRates.{category}.{tier}: must be between 0 and 1");
            if (b.EmptyThinkRate is < 0 or > 1) problems.Add($"behaviour.{key}.emptyThinkRate: must be between 0 and 1");
            if (b.ContextWindow is <= 0) problems.Add($"behaviour.{key}.contextWindow: must be positive");
        }
        return problems;
    }

    private static void CheckTruth(IReadOnlyList<ServedShare>? truth, string field, List<string> problems)
    {
        if (truth is not { Count: > 0 }) { problems.Add($"{field}: at least one served variant is needed"); return; }
        for (var i = 0; i < truth.Count; i++)
        {
            if (!VariantCatalog.Default.IsKnownBuild(truth[i].Variant ?? "") && !OutsideModels.IsOutside(truth[i].Variant ?? ""))
                problems.Add($"{field}[{i}].variant: '{truth[i].Variant}' is neither a catalogued build nor one of {string.Join(", ", OutsideModels.Names)}");
            if (truth[i].Weight <= 0) problems.Add($"{field}[{i}].weight: must be positive");
        }
    }
}
