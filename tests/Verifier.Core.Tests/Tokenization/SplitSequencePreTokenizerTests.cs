namespace Verifier.Core.Tests.Tokenization;

using Verifier.Core.Assets;
using Verifier.Core.Tokenization;

/// <summary>The pre-tokenizer extension on its own: DeepSeek-V3's three Split steps, unmatched text kept, code points.</summary>
public class SplitSequencePreTokenizerTests
{
    private static readonly SplitSequencePreTokenizer DeepSeek = SplitSequencePreTokenizer.Create(
        TokenizerData.Read(AssetPaths.Require(Path.Combine("tokenizers", "deepseek_v3", "tokenizer.json")), null).SplitPatterns);

    private static string[] Pieces(string text) => DeepSeek.PreTokenize(text).Select(p => text.Substring(p.Offset, p.Length)).ToArray();

    [Theory]
    [InlineData("12345", new[] { "123", "45" })] // the third step matches no digits: a single regex would drop them
    [InlineData("数学题abc", new[] { "数学题", "abc" })]
    [InlineData("a𝔘b 𝔙", new[] { "a𝔘b", " 𝔙" })] // supplementary letters are letters
    [InlineData("😀12😀", new[] { "😀", "12", "😀" })]
    [InlineData("ab\u200b", new[] { "ab", "\u200b" })] // a format character the third step leaves unmatched
    public void DeepSeek_pieces(string text, string[] expected) => Assert.Equal(expected, Pieces(text));

    [Theory]
    [InlineData("x 🚀🚀 y 1234567 你好世界 👩‍💻\n\n  𠀀𠀁 e\u0301 \u200b\ud800 end")]
    [InlineData("\ud83d")] // a lone surrogate
    public void Pieces_cover_the_text_in_order_and_never_cut_a_surrogate_pair(string text)
    {
        var position = 0;
        foreach (var (offset, length) in DeepSeek.PreTokenize(text))
        {
            Assert.Equal(position, offset);
            Assert.True(length > 0);
            Assert.False(char.IsLowSurrogate(text[offset]) && offset > 0 && char.IsHighSurrogate(text[offset - 1]), $"piece at {offset} starts inside a pair");
            position += length;
        }
        Assert.Equal(text.Length, position);
    }
}
