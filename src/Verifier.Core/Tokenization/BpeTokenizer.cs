namespace Verifier.Core.Tokenization;

using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

/// <summary>
/// Byte-level BPE over a Hugging Face tokenizer.json, giving the same ids as the reference implementation for the
/// three families here (DeepSeek-V3, Qwen, Llama 3): added tokens first, then normalizer, Split pre-tokenizers,
/// byte-level mapping and rank-ordered merges (or whole-word lookup where the model sets ignore_merges).
/// Thread-safe; a per-instance cache remembers the ids of recent pre-tokenized words.
/// </summary>
public sealed class BpeTokenizer
{
    private const int CacheLimit = 200_000;

    private readonly Dictionary<string, int> vocab;
    private readonly string[] idToToken;
    private readonly Dictionary<long, (int Rank, int Id)> merges;
    private readonly int[] byteIds = new int[256];
    private readonly bool ignoreMerges;
    private readonly NormalizationForm? normalization;
    private readonly PreTokenizer preTokenizer;
    private readonly AddedTokenMatcher rawTokens;
    private readonly AddedTokenMatcher normalizedTokens;
    private readonly Dictionary<int, AddedToken> addedById;
    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> cacheBySpan;

    internal BpeTokenizer(TokenizerData data)
    {
        vocab = data.Vocab;
        ignoreMerges = data.IgnoreMerges;
        normalization = data.Normalization;
        preTokenizer = PreTokenizer.Create(data.SplitPatterns);
        merges = data.Merges;
        cacheBySpan = cache.GetAlternateLookup<ReadOnlySpan<char>>();
        var max = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max(), data.AddedTokens.Count == 0 ? 0 : data.AddedTokens.Max(t => t.Id));
        idToToken = new string[max + 1];
        foreach (var (token, id) in vocab) idToToken[id] = token;
        AddedTokens = data.AddedTokens;
        addedById = data.AddedTokens.ToDictionary(t => t.Id);
        foreach (var t in data.AddedTokens) idToToken[t.Id] = t.Content;
        rawTokens = new AddedTokenMatcher(data.AddedTokens.Where(t => !t.Normalized || normalization is null));
        normalizedTokens = new AddedTokenMatcher(data.AddedTokens.Where(t => t.Normalized && normalization is not null));
        for (var b = 0; b < 256; b++)
            byteIds[b] = vocab.TryGetValue(ByteLevel.ByteToChar[b].ToString(), out var id) ? id : throw new InvalidDataException($"byte-level token for byte {b} missing from the vocabulary");
    }

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Size of the id space (highest id + 1).</summary>
    public int IdSpace => idToToken.Length;

    public static BpeTokenizer Load(string tokenizerJsonPath, Func<IReadOnlyList<AddedToken>, IReadOnlyList<AddedToken>>? editAddedTokens = null) =>
        new(TokenizerData.Read(tokenizerJsonPath, editAddedTokens));

    public int? TokenToId(string token)
    {
        foreach (var t in AddedTokens) if (t.Content == token) return t.Id;
        return vocab.TryGetValue(token, out var id) ? id : null;
    }

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids);
        return [.. ids];
    }

    public int CountTokens(string text)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids);
        return ids.Count;
    }

    public void Encode(string text, List<int> output)
    {
        var position = 0;
        while (position < text.Length)
        {
            var hit = rawTokens.IsEmpty ? null : rawTokens.Next(text, position);
            var end = hit?.Index ?? text.Length;
            if (end > position) EncodeNormalizedSegment(text.Substring(position, end - position), output);
            if (hit is not { } h) break;
            output.Add(h.Token.Id);
            position = h.Index + h.Token.Content.Length;
        }
    }

    private void EncodeNormalizedSegment(string segment, List<int> output)
    {
        if (normalization is { } form && !segment.IsNormalized(form)) segment = segment.Normalize(form);
        var position = 0;
        while (position < segment.Length)
        {
            var hit = normalizedTokens.IsEmpty ? null : normalizedTokens.Next(segment, position);
            var end = hit?.Index ?? segment.Length;
            if (end > position) EncodePlain(position == 0 && end == segment.Length ? segment : segment[position..end], output);
            if (hit is not { } h) break;
            output.Add(h.Token.Id);
            position = h.Index + h.Token.Content.Length;
        }
    }

    private void EncodePlain(string text, List<int> output)
    {
        var pieces = new List<(int Start, int Length)>();
        preTokenizer.Split(text, pieces);
        Span<byte> stack = stackalloc byte[256];
        foreach (var (start, length) in pieces)
        {
            var span = text.AsSpan(start, length);
            if (cacheBySpan.TryGetValue(span, out var cached))
            {
                output.AddRange(cached);
                continue;
            }
            var piece = span.ToString();
            var maxBytes = Encoding.UTF8.GetMaxByteCount(length);
            var buffer = maxBytes <= stack.Length ? stack : new byte[maxBytes];
            var n = Encoding.UTF8.GetBytes(piece, buffer);
            var ids = EncodeWord(buffer[..n]);
            if (cache.Count >= CacheLimit) cache.Clear();
            cache.TryAdd(piece, ids);
            output.AddRange(ids);
        }
    }

    private int[] EncodeWord(ReadOnlySpan<byte> bytes)
    {
        if (ignoreMerges || bytes.Length == 1)
        {
            var chars = new char[bytes.Length];
            for (var i = 0; i < bytes.Length; i++) chars[i] = ByteLevel.ByteToChar[bytes[i]];
            if (vocab.TryGetValue(new string(chars), out var whole)) return [whole];
        }
        var symbols = new List<int>(bytes.Length);
        foreach (var b in bytes) symbols.Add(byteIds[b]);
        return bytes.Length > 48 ? MergeWithHeap(symbols) : MergeSimple(symbols);
    }

    // Repeatedly merge the adjacent pair of lowest rank (leftmost on ties): quadratic, fastest for short words.
    private int[] MergeSimple(List<int> symbols)
    {
        var s = CollectionsMarshal.AsSpan(symbols);
        var count = s.Length;
        while (count > 1)
        {
            int bestRank = int.MaxValue, bestAt = -1, bestId = 0;
            for (var i = 0; i < count - 1; i++)
                if (merges.TryGetValue(Key(s[i], s[i + 1]), out var m) && m.Rank < bestRank)
                    (bestRank, bestAt, bestId) = (m.Rank, i, m.Id);
            if (bestAt < 0) break;
            s[bestAt] = bestId;
            s.Slice(bestAt + 2, count - bestAt - 2).CopyTo(s[(bestAt + 1)..]);
            count--;
        }
        return s[..count].ToArray();
    }

    // Same merge order with a priority queue over (rank, position) and a linked list, for long words.
    private int[] MergeWithHeap(List<int> symbols)
    {
        var n = symbols.Count;
        var id = symbols.ToArray();
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; alive[i] = true; }
        var queue = new PriorityQueue<(int Left, int LeftId, int RightId), (int Rank, int Left)>();
        void Push(int left)
        {
            var right = next[left];
            if (right < 0) return;
            if (merges.TryGetValue(Key(id[left], id[right]), out var m)) queue.Enqueue((left, id[left], id[right]), (m.Rank, left));
        }
        for (var i = 0; i < n - 1; i++) Push(i);
        while (queue.TryDequeue(out var item, out _))
        {
            var (left, leftId, rightId) = item;
            var right = alive[left] ? next[left] : -1;
            if (right < 0 || id[left] != leftId || id[right] != rightId) continue; // stale entry
            id[left] = merges[Key(leftId, rightId)].Id;
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) Push(prev[left]);
            Push(left);
        }
        var result = new List<int>();
        for (var i = 0; i >= 0; i = next[i]) result.Add(id[i]);
        return [.. result];
    }

    private static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    public string Decode(IReadOnlyList<int> ids)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var i in ids)
        {
            if (addedById.TryGetValue(i, out var added))
            {
                Flush();
                text.Append(added.Content);
                continue;
            }
            if (i < 0 || i >= idToToken.Length || idToToken[i] is null) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {i} is not in the vocabulary");
            foreach (var c in idToToken[i]) bytes.Add(ByteLevel.CharToByte.TryGetValue(c, out var b) ? b : (byte)'?');
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            if (bytes.Count == 0) return;
            text.Append(Encoding.UTF8.GetString([.. bytes]));
            bytes.Clear();
        }
    }
}
