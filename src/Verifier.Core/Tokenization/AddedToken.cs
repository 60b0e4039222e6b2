namespace Verifier.Core.Tokenization;

/// <summary>A token matched whole in the text before pre-tokenization (special tokens, role markers, &lt;think&gt;).</summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool Normalized = false);

/// <summary>Finds added tokens in text: leftmost match, longest token at that position (as Hugging Face's matcher does).</summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, AddedToken[]> byFirstChar;
    private readonly System.Buffers.SearchValues<char> firstChars;

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        byFirstChar = tokens.Where(t => t.Content.Length > 0).GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = System.Buffers.SearchValues.Create(byFirstChar.Keys.ToArray());
    }

    /// <summary>Next token occurrence at or after <paramref name="from"/>; null when none.</summary>
    public (int Index, AddedToken Token)? Next(string text, int from)
    {
        var i = from;
        while (i < text.Length)
        {
            var hit = text.AsSpan(i).IndexOfAny(firstChars);
            if (hit < 0) return null;
            i += hit;
            foreach (var t in byFirstChar[text[i]])
                if (string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0) return (i, t);
            i++;
        }
        return null;
    }
}
