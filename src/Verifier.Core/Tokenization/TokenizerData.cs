namespace Verifier.Core.Tokenization;

using System.Text;
using System.Text.Json;

/// <summary>
/// What BpeTokenizer needs from a tokenizer.json, read once. Unsupported parts are an error naming them.
/// The merges are not read: the engine is Tiktoken with rank = id. DeepSeek-V3's and Qwen's ids follow their merge
/// order, and Llama 3's merges were derived from a tiktoken rank file whose ranks are its ids. Tiktoken also takes a
/// piece that is a whole vocabulary entry as one token, as Llama 3's ignore_merges asks and as the merges of the
/// other two produce anyway (the golden and unseen-text tests check all of it).
/// </summary>
internal sealed record TokenizerData(
    Dictionary<string, int> Vocab,
    NormalizationForm? Normalization,
    IReadOnlyList<string> SplitPatterns,
    IReadOnlyList<AddedToken> AddedTokens)
{
    // GPT-2's pattern, used by a bare ByteLevel pre-tokenizer with use_regex.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static TokenizerData Read(string path, Func<IReadOnlyList<AddedToken>, IReadOnlyList<AddedToken>>? editAddedTokens)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        if (model.GetProperty("type").GetString() != "BPE") throw new InvalidDataException($"{path}: only BPE models are supported.");
        if (model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True) throw new InvalidDataException($"{path}: byte_fallback BPE is not supported.");

        var vocabElement = model.GetProperty("vocab");
        var vocab = new Dictionary<string, int>(capacity: 160_000, StringComparer.Ordinal);
        foreach (var p in vocabElement.EnumerateObject()) vocab[p.Name] = p.Value.GetInt32();

        var added = new List<AddedToken>();
        foreach (var t in root.GetProperty("added_tokens").EnumerateArray())
        {
            if (Flag(t, "lstrip") || Flag(t, "rstrip") || Flag(t, "single_word"))
                throw new InvalidDataException($"{path}: added token {t.GetProperty("content").GetString()} uses lstrip/rstrip/single_word, which this tokenizer does not implement.");
            added.Add(new AddedToken(t.GetProperty("id").GetInt32(), t.GetProperty("content").GetString()!, Flag(t, "special"), Flag(t, "normalized")));
        }
        IReadOnlyList<AddedToken> addedTokens = editAddedTokens is null ? added : editAddedTokens(added);

        var patterns = new List<string>();
        ReadPreTokenizer(root.GetProperty("pre_tokenizer"), patterns, path);
        var normalization = ReadNormalizer(root.TryGetProperty("normalizer", out var n) ? n : default, path);
        // Added tokens are matched on the raw text (BpeTokenizer); one that asks to be matched after normalization
        // would need a second pass, which none of the pinned files needs.
        if (normalization is not null && addedTokens.FirstOrDefault(t => t.Normalized) is { } normalized)
            throw new InvalidDataException($"{path}: added token {normalized.Content} is matched after normalization, which this tokenizer does not implement.");
        return new TokenizerData(vocab, normalization, patterns, addedTokens);
    }

    private static bool Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static NormalizationForm? ReadNormalizer(JsonElement n, string path)
    {
        if (n.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        var type = n.GetProperty("type").GetString();
        switch (type)
        {
            case "NFC": return NormalizationForm.FormC;
            case "NFKC": return NormalizationForm.FormKC;
            case "Sequence":
                NormalizationForm? form = null;
                foreach (var inner in n.GetProperty("normalizers").EnumerateArray())
                    form = ReadNormalizer(inner, path) ?? form;
                return form;
            default: throw new InvalidDataException($"{path}: normalizer '{type}' is not supported.");
        }
    }

    private static void ReadPreTokenizer(JsonElement p, List<string> patterns, string path)
    {
        if (p.ValueKind == JsonValueKind.Null) return;
        var type = p.GetProperty("type").GetString();
        switch (type)
        {
            case "Sequence":
                foreach (var inner in p.GetProperty("pretokenizers").EnumerateArray()) ReadPreTokenizer(inner, patterns, path);
                break;
            case "Split":
                if (p.GetProperty("behavior").GetString() != "Isolated" || Flag(p, "invert"))
                    throw new InvalidDataException($"{path}: only Split with behavior Isolated (not inverted) is supported.");
                var pattern = p.GetProperty("pattern");
                patterns.Add(pattern.TryGetProperty("Regex", out var regex) ? regex.GetString()! : System.Text.RegularExpressions.Regex.Escape(pattern.GetProperty("String").GetString()!));
                break;
            case "ByteLevel":
                if (Flag(p, "add_prefix_space")) throw new InvalidDataException($"{path}: ByteLevel add_prefix_space is not supported.");
                if (Flag(p, "use_regex")) patterns.Add(Gpt2Pattern);
                break;
            default:
                throw new InvalidDataException($"{path}: pre-tokenizer '{type}' is not supported.");
        }
    }
}
