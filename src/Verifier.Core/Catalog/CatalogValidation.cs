namespace Verifier.Core.Catalog;

using System.Text.RegularExpressions;

/// <summary>Checks a loaded catalog: stable ids, known tokenizers/templates, consistent shapes. Returns one message per problem.</summary>
public static partial class CatalogValidation
{
    private static readonly HashSet<string> Tokenizers = ["deepseek-v3", "qwen", "llama3"];
    private static readonly HashSet<string> Templates = ["R1", "R1_0528", "DistillQwen", "DistillLlama", "R1_0528_Qwen3_8B", "V3Chat"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._\\-]*$")]
    private static partial Regex IdPattern();

    public static IReadOnlyList<string> Validate(VariantCatalog catalog)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in catalog.PrecisionList)
        {
            if (!IdPattern().IsMatch(p.Id ?? "")) problems.Add($"precisions: id '{p.Id}' is not a lowercase id");
            if (p.AccuracyRecovery is <= 0 or > 1.05) problems.Add($"precisions[{p.Id}].accuracyRecovery must be in (0, 1.05]");
        }
        foreach (var v in catalog.Variants)
        {
            var at = $"variants[{v.Id}]";
            if (!IdPattern().IsMatch(v.Id ?? "")) problems.Add($"{at}.id is not a lowercase id");
            if (!seen.Add(v.Id ?? "")) problems.Add($"{at}.id is duplicated");
            if (!Tokenizers.Contains(v.Tokenizer ?? "")) problems.Add($"{at}.tokenizer '{v.Tokenizer}' is not one of {string.Join(", ", Tokenizers)}");
            if (!Templates.Contains(v.ChatTemplate ?? "")) problems.Add($"{at}.chatTemplate '{v.ChatTemplate}' is not one of {string.Join(", ", Templates)}");
            if (v.Architecture is not { } a) { problems.Add($"{at}.architecture is missing"); continue; }
            if (a.Layers <= 0 || a.HiddenSize <= 0 || a.AttentionHeads <= 0 || a.KvHeads <= 0 || a.VocabSize <= 0)
                problems.Add($"{at}.architecture has a non-positive dimension");
            if (a.KvHeads > a.AttentionHeads || a.AttentionHeads % a.KvHeads != 0)
                problems.Add($"{at}.architecture.kvHeads must divide attentionHeads");
            if (v.ContextWindow <= 0) problems.Add($"{at}.contextWindow must be positive");
            foreach (var p in v.Precisions ?? [])
                if (catalog.FindPrecision(p) is null) problems.Add($"{at}.precisions: unknown precision '{p}'");
            if (!(v.Precisions ?? []).Contains(v.NativePrecision)) problems.Add($"{at}.nativePrecision must be one of its precisions");
        }
        return problems;
    }
}
