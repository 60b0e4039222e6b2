namespace Verifier.Core.Tokenization;

using System.Reflection;
using Microsoft.ML.Tokenizers;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer.json (DeepSeek-V3, Qwen, Llama 3) on ML.Tokenizers, giving the same ids
/// as the reference implementation. The steps run in Hugging Face's order: added tokens matched on the raw text,
/// then the normalizer on the text between them, the Split pre-tokenizer, and the library's TiktokenTokenizer on each
/// piece. The library's own pipeline would normalize before matching added tokens, which for instance composes
/// "&lt;think&gt;" + U+0338 into "&lt;think≯" and loses the token. Thread-safe.
/// </summary>
public sealed class BpeTokenizer
{
    private readonly TiktokenTokenizer engine;
    private readonly Normalizer? normalizer;
    private readonly SplitSequencePreTokenizer preTokenizer;
    private readonly PieceCache pieces;
    private readonly AddedTokenMatcher addedTokens;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly bool[] inVocabulary;

    internal BpeTokenizer(TokenizerData data)
    {
        engine = TiktokenFromTokenizerJson.Create(data);
        normalizer = data.Normalization is { } form ? new UnicodeFormNormalizer(form) : null;
        preTokenizer = SplitSequencePreTokenizer.Create(data.SplitPatterns);
        pieces = new PieceCache(piece => [.. engine.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false)]);
        AddedTokens = data.AddedTokens;
        addedTokens = new AddedTokenMatcher(data.AddedTokens);
        addedById = data.AddedTokens.ToDictionary(t => t.Id);
        IdSpace = Math.Max(data.Vocab.Count == 0 ? 0 : data.Vocab.Values.Max(), data.AddedTokens.Count == 0 ? 0 : data.AddedTokens.Max(t => t.Id)) + 1;
        inVocabulary = new bool[IdSpace];
        foreach (var id in data.Vocab.Values) inVocabulary[id] = true;
    }

    /// <summary>What encodes, for benchmark output: the library, its version and the model type.</summary>
    public static string Engine { get; } = DescribeEngine();

    // The package version is in the informational version ("3.0.0+commit"); the assembly version stays 1.0.0.
    private static string DescribeEngine()
    {
        var assembly = typeof(TiktokenTokenizer).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        return $"{assembly.GetName().Name} {version} {nameof(TiktokenTokenizer)} (rank = id)";
    }

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Size of the id space (highest id + 1).</summary>
    public int IdSpace { get; }

    public static BpeTokenizer Load(string tokenizerJsonPath, Func<IReadOnlyList<AddedToken>, IReadOnlyList<AddedToken>>? editAddedTokens = null) =>
        new(TokenizerData.Read(tokenizerJsonPath, editAddedTokens));

    /// <summary>The id of an added token, or of the one token this text encodes to; null when none.</summary>
    public int? TokenToId(string token)
    {
        foreach (var t in AddedTokens) if (t.Content == token) return t.Id;
        return Encode(token) is [var id] ? id : null;
    }

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids);
        return [.. ids];
    }

    public void Encode(string text, List<int> output)
    {
        foreach (var (start, length, token) in Segments(text))
        {
            if (token is not null) output.Add(token.Id);
            else EncodeSegment(text.AsSpan(start, length), output);
        }
    }

    public int CountTokens(string text)
    {
        var count = 0;
        foreach (var (start, length, token) in Segments(text))
            count += token is not null ? 1 : EncodeSegment(text.AsSpan(start, length), output: null);
        return count;
    }

    /// <summary>Text between added tokens: normalizer, pre-tokenizer, then the library's BPE per piece. Returns the count.</summary>
    private int EncodeSegment(ReadOnlySpan<char> segment, List<int>? output)
    {
        var normalized = normalizer is null ? segment : normalizer.Normalize(segment).AsSpan();
        var count = 0;
        foreach (var (offset, length) in preTokenizer.PreTokenize(normalized))
        {
            var ids = pieces.Get(normalized.Slice(offset, length));
            output?.AddRange(ids);
            count += ids.Length;
        }
        return count;
    }

    /// <summary>The text between added tokens (token null) and the added tokens themselves, in order.</summary>
    private IEnumerable<(int Start, int Length, AddedToken? Token)> Segments(string text)
    {
        var position = 0;
        while (position < text.Length)
        {
            var hit = addedTokens.Next(text, position);
            var end = hit?.Index ?? text.Length;
            if (end > position) yield return (position, end - position, null);
            if (hit is not { } h) yield break;
            yield return (h.Index, h.Token.Content.Length, h.Token);
            position = h.Index + h.Token.Content.Length;
        }
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (addedById.TryGetValue(id, out var added))
            {
                Flush();
                text.Append(added.Content);
            }
            else if (id >= 0 && id < IdSpace && inVocabulary[id]) run.Add(id);
            else throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is not in the vocabulary");
        }
        Flush();
        return text.ToString();

        // A run of ordinary ids is decoded at once, so a character split over several tokens comes out whole.
        void Flush()
        {
            if (run.Count == 0) return;
            text.Append(engine.Decode(run));
            run.Clear();
        }
    }
}
