namespace Verifier.Simulator;

using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.Tokenization;

/// <summary>
/// What a simulated vendor needs to play one model: its real tokenizer and chat template (usage is counted with
/// them over the text actually returned), whether and how long it reasons, its context window, and its chance of
/// answering each kind of probe correctly (published scores through the same mapping the engine's weak prior uses,
/// lowered by the precision's published recovery, unless the scenario overrides it).
/// </summary>
public sealed record ServedModel(
    string Id,
    string Family,
    Func<IReadOnlyList<ChatMessage>, int[]> EncodePrompt,
    Func<string, int> CountText,
    bool Reasons,
    bool EmitsOpeningThinkTag,
    int ContextWindow,
    int ReasoningScale,
    string HuggingFace,
    ArchitectureConfig? Architecture,
    Func<ProbeCategory, string, double> PassRate)
{
    public static ServedModel Resolve(string id, Behaviour? overrides)
    {
        var model = OutsideModels.IsOutside(id) ? OutsideModels.Get(id) : FromCatalog(id);
        if (overrides is null) return model;
        return model with
        {
            Reasons = overrides.Reasons ?? model.Reasons,
            ContextWindow = overrides.ContextWindow ?? model.ContextWindow,
            ReasoningScale = overrides.ReasoningTokens ?? model.ReasoningScale,
            PassRate = overrides.PassRates is { } rates
                ? (c, t) => rates.TryGetValue(c.ToString().ToLowerInvariant(), out var tiers) && tiers.TryGetValue(t, out var p) ? p : model.PassRate(c, t)
                : model.PassRate,
        };
    }

    private static ServedModel FromCatalog(string build)
    {
        var catalog = VariantCatalog.Default;
        if (!catalog.TryParseBuild(build, out var variant, out var precision)) throw new ArgumentException($"'{build}' is not a catalogued build.", nameof(build));
        var template = ChatTemplates.Parse(variant.ChatTemplate);
        var tokenizer = Tokenizers.GetForTemplate(template);
        return new ServedModel(
            build, variant.Tokenizer,
            messages => tokenizer.Encode(ChatTemplates.Render(template, messages)),
            tokenizer.CountTokens,
            variant.Behaviour.Reasons,
            variant.Behaviour.EmitsOpeningThinkTag,
            variant.ContextWindow,
            variant.Behaviour.TypicalReasoningTokens,
            variant.HuggingFace,
            variant.Architecture,
            (category, tier) => category switch
            {
                ProbeCategory.Reasoning or ProbeCategory.Code or ProbeCategory.LongContext => CapabilityModel.WeakPassRate(variant, precision, category, tier),
                _ => 0.99,
            });
    }
}
