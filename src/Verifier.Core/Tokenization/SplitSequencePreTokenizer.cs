namespace Verifier.Core.Tokenization;

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

/// <summary>
/// A Hugging Face pre-tokenizer sequence of Split(regex, Isolated) steps, plugged into ML.Tokenizers. The stock
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
        var (standIn, offsets) = StandIn(text);
        SplitAll(standIn, pieces);
        for (var i = 0; i < pieces.Count; i++)
        {
            var (s, l) = pieces[i];
            pieces[i] = (offsets[s], offsets[s + l] - offsets[s]);
        }
        return pieces;
    }

    /// <summary>
    /// One Split step. Two patterns the DeepSeek-V3 file uses are plain character-class runs and are scanned
    /// directly (the same matches as the regex, several times faster); everything else goes through Regex.
    /// </summary>
    internal sealed class Splitter
    {
        private readonly Regex? regex;
        private readonly Func<char, bool>? member;
        private readonly int maxRun;

        private Splitter(Regex? regex, Func<char, bool>? member, int maxRun) { this.regex = regex; this.member = member; this.maxRun = maxRun; }

        public static Splitter For(string pattern) => pattern switch
        {
            @"\p{N}{1,3}" => new(null, c => char.GetUnicodeCategory(c) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber, 3),
            "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+" => new(null, c => c is >= '\u4e00' and <= '\u9fa5' or >= '\u3040' and <= '\u309f' or >= '\u30a0' and <= '\u30ff', int.MaxValue),
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
                    if (!member!(span[i])) { i++; continue; }
                    var run = 1;
                    while (i + run < span.Length && run < maxRun && member(span[i + run])) run++;
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

    /// <summary>One char per code point, plus the map from stand-in index to original index (with a final entry).</summary>
    private static (string, int[]) StandIn(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(Representative(CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]))));
                i++;
            }
            else sb.Append(text[i]);
        }
        offsets.Add(text.Length);
        return (sb.ToString(), offsets.ToArray());
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
