namespace Verifier.Core.Tokenization;

using Microsoft.ML.Tokenizers;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer.json (DeepSeek-V3, Qwen, Llama 3) on ML.Tokenizers' TiktokenTokenizer,
/// giving the same ids as the reference implementation. Added tokens are matched here, on the raw text, before the
/// library normalizes: Hugging Face does it in that order, and normalizing first would, for instance, compose
/// "&lt;think&gt;" + U+0338 into "&lt;think≯" and lose the token. Everything between added tokens goes to the library.
/// Thread-safe.
/// </summary>
public sealed class BpeTokenizer
{
    private readonly TiktokenTokenizer engine;
    private readonly AddedTokenMatcher addedTokens;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly bool[] inVocabulary;

    internal BpeTokenizer(TokenizerData data)
    {
        engine = TiktokenFromTokenizerJson.Create(data);
        AddedTokens = data.AddedTokens;
        addedTokens = new AddedTokenMatcher(data.AddedTokens);
        addedById = data.AddedTokens.ToDictionary(t => t.Id);
        IdSpace = Math.Max(data.Vocab.Count == 0 ? 0 : data.Vocab.Values.Max(), data.AddedTokens.Count == 0 ? 0 : data.AddedTokens.Max(t => t.Id)) + 1;
        inVocabulary = new bool[IdSpace];
        foreach (var id in data.Vocab.Values) inVocabulary[id] = true;
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
        return engine.EncodeToIds(token) is [var id] ? id : null;
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
            else output.AddRange(engine.EncodeToIds(text.AsSpan(start, length)));
        }
    }

    public int CountTokens(string text)
    {
        var count = 0;
        foreach (var (start, length, token) in Segments(text))
            count += token is not null ? 1 : engine.CountTokens(text.AsSpan(start, length));
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
