namespace Verifier.Core.Tokenization;

using System.Buffers;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

/// <summary>
/// A Hugging Face pre-tokenizer sequence of Split(regex, Isolated) steps, as an ML.Tokenizers PreTokenizer. The stock
/// RegexPreTokenizer cannot stand in for it: it runs one regex and drops the text between matches, while a Split
/// step keeps that text as pieces of its own (DeepSeek-V3 chains three Splits, and the third matches neither the
/// digit pieces of the first nor format characters such as U+200B).
/// The patterns were also written for an engine that sees code points; .NET's sees UTF-16 units, so a supplementary
/// character (emoji, 𝔘, CJK extension B) would not match \p{L}, \p{S}... Text containing surrogates is therefore
/// matched on a stand-in where each supplementary code point is one BMP character of the same Unicode category, and
/// the pieces are cut from the original at the same code-point positions.
/// </summary>
internal sealed class SplitSequencePreTokenizer(IReadOnlyList<SplitSequencePreTokenizer.Splitter> splits) : PreTokenizer
{
    public static SplitSequencePreTokenizer Create(IEnumerable<string> patterns) => new(patterns.Select(Splitter.For).ToList());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => PreTokenize(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        if (text.IsEmpty) return pieces;
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            SplitAll(text, pieces);
            return pieces;
        }
        var collapsed = new List<int>();
        SplitAll(StandIn(text, collapsed), pieces);
        // Pieces come in order, so one walk over the collapsed positions maps them back: a stand-in index moves
        // right by one for every pair collapsed before it.
        var k = 0;
        var shift = 0;
        for (var i = 0; i < pieces.Count; i++)
        {
            var (s, l) = pieces[i];
            while (k < collapsed.Count && collapsed[k] < s) { k++; shift++; }
            var start = s + shift;
            var endShift = shift;
            for (var j = k; j < collapsed.Count && collapsed[j] < s + l; j++) endShift++;
            pieces[i] = (start, s + l + endShift - start);
        }
        return pieces;
    }

    /// <summary>
    /// One Split step. Two patterns the DeepSeek-V3 file uses are plain character-class runs and are scanned
    /// directly with vectorized search (the same matches as the regex, several times faster); the rest use Regex.
    /// </summary>
    internal sealed class Splitter
    {
        // \p{N} in the BMP (supplementary digits reach the scan as a stand-in from this set) and DeepSeek's CJK/kana run.
        private static readonly SearchValues<char> Numbers = SearchValues.Create(Enumerable.Range(0, 0x10000)
            .Select(c => (char)c).Where(c => char.GetUnicodeCategory(c) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber).ToArray());
        private static readonly SearchValues<char> CjkAndKana = SearchValues.Create(Enumerable.Range(0, 0x10000)
            .Select(c => (char)c).Where(c => c is >= '\u4e00' and <= '\u9fa5' or >= '\u3040' and <= '\u309f' or >= '\u30a0' and <= '\u30ff').ToArray());

        private readonly Regex? regex;
        private readonly SearchValues<char>? members;
        private readonly int maxRun;

        private Splitter(Regex? regex, SearchValues<char>? members, int maxRun) { this.regex = regex; this.members = members; this.maxRun = maxRun; }

        public static Splitter For(string pattern) => pattern switch
        {
            @"\p{N}{1,3}" => new(null, Numbers, 3),
            "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+" => new(null, CjkAndKana, int.MaxValue),
            _ => new(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), null, 0),
        };

        /// <summary>Splits text[start..start+length] into matches and the unmatched text between them, appended to next.</summary>
        public void Split(ReadOnlySpan<char> text, int start, int length, List<(int, int)> next)
        {
            var position = 0;
            var span = text.Slice(start, length);
            if (regex is not null)
            {
                // Each piece is matched as a string of its own (lookarounds do not see past it), as Hugging Face does.
                foreach (var m in regex.EnumerateMatches(span))
                    if (m.Length > 0) Emit(m.Index, m.Length);
            }
            else
            {
                var i = 0;
                while (i < span.Length)
                {
                    var found = span[i..].IndexOfAny(members!);
                    if (found < 0) break;
                    i += found;
                    var run = span[i..].IndexOfAnyExcept(members!);
                    run = run < 0 ? span.Length - i : run;
                    if (run > maxRun) run = maxRun; // {1,3}: the rest of the run is the next match
                    Emit(i, run);
                    i += run;
                }
            }
            if (position < length) next.Add((start + position, length - position));

            void Emit(int index, int matchLength)
            {
                if (index > position) next.Add((start + position, index - position));
                next.Add((start + index, matchLength));
                position = index + matchLength;
            }
        }
    }

    private void SplitAll(ReadOnlySpan<char> text, List<(int Offset, int Length)> output)
    {
        List<(int, int)> current = [(0, text.Length)];
        List<(int, int)> next = [];
        foreach (var splitter in splits)
        {
            next.Clear();
            foreach (var (start, length) in current) splitter.Split(text, start, length, next);
            (current, next) = (next, current);
        }
        output.AddRange(current);
    }

    /// <summary>
    /// The text with each surrogate pair replaced by one character; <paramref name="collapsed"/> gets the stand-in
    /// index of each replaced pair. Text between pairs is copied in bulk: most text has few or none.
    /// </summary>
    private static string StandIn(ReadOnlySpan<char> text, List<int> collapsed)
    {
        var chars = new char[text.Length];
        var n = 0;
        var i = 0;
        while (i < text.Length)
        {
            var next = text[i..].IndexOfAnyInRange('\uD800', '\uDFFF');
            var run = next < 0 ? text.Length - i : next;
            text.Slice(i, run).CopyTo(chars.AsSpan(n));
            n += run;
            i += run;
            if (i == text.Length) break;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                collapsed.Add(n);
                chars[n++] = Representative(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1])));
                i += 2;
            }
            else chars[n++] = text[i++]; // a lone surrogate stays as it is
        }
        return new string(chars, 0, n);
    }

    // BMP characters of each category, chosen outside ASCII and outside the CJK/kana ranges the patterns name.
    private static char Representative(UnicodeCategory c) => c switch
    {
        UnicodeCategory.UppercaseLetter => 'À',
        UnicodeCategory.LowercaseLetter => 'ß',
        UnicodeCategory.TitlecaseLetter => 'ǅ',
        UnicodeCategory.ModifierLetter => 'ʰ',
        UnicodeCategory.OtherLetter => 'ª',
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',
        UnicodeCategory.LetterNumber => '\u2160',
        UnicodeCategory.OtherNumber => '\u00B2',
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u00AB',
        UnicodeCategory.FinalQuotePunctuation => '\u00BB',
        UnicodeCategory.OtherPunctuation => '\u00A1',
        UnicodeCategory.MathSymbol => '\u00AC',
        UnicodeCategory.CurrencySymbol => '\u00A2',
        UnicodeCategory.ModifierSymbol => '\u02C2',
        UnicodeCategory.OtherSymbol => '\u00A6',
        UnicodeCategory.SpaceSeparator => '\u2000',
        UnicodeCategory.Format => '\u00AD',
        UnicodeCategory.PrivateUse => '\uE000',
        _ => '\u0378', // unassigned
    };
}
