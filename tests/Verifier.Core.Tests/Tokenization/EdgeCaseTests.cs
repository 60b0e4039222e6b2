namespace Verifier.Core.Tests.Tokenization;

using Verifier.Core.Tokenization;

/// <summary>
/// Texts where ML.Tokenizers' stock pieces differ from Hugging Face's, each compared with the reference JavaScript
/// tokenizer for all three families: supplementary-plane characters (.NET regex sees two UTF-16 units), text the
/// DeepSeek-V3 split sequence leaves unmatched (U+200B, digit pieces), combining marks right after an added token
/// (normalizing before matching would compose them into the token's last character), and pieces long enough for
/// the library's large-input merge path.
/// </summary>
public class EdgeCaseTests
{
    public static readonly string[] Texts =
    [
        // emoji: plain, ZWJ sequences, flags, variation selectors, glued to letters, digits and punctuation
        "😀", "a😀b", " 😀😀😀", "😀123", "👩‍💻 at work", "🏳️‍🌈", "🇩🇪🇫🇷", "ok👍🏽!", "\n😀\n", "«😀»", "x 🚀🚀 y",
        // supplementary-plane letters, marks and digits
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "a𝔘b", "𝔘abc", "x𝔘!", "!𝔘", " 𝔘 𝔙", "𠀀𠀁 text", "你好𠀀世界", "𐍈𐌰𐌹", "𝟙𝟚𝟛𝟜", "1𝟙2", "a\U000E0101b", "𑀅𑀸",
        // U+200B and other format characters
        "a\u200bb", "\u200b", "1\u200b2", " \u200b ", "你\u200b好", "\u200b\n", "word\u200b\u200b\u200bword", "\u200d\u200c", "\ufeffBOM", "a\u00adb",
        // combining marks after added tokens (each family's own and the other families')
        "<think>\u0338", "<think>\u0338x", "</think>\u0301", "<|im_start|>\u0300user", "<|im_end|>\u0308", "<|eot_id|>\u0308",
        "<|begin_of_text|>\u0301", "<｜User｜>\u0301", "<｜Assistant｜>\u20dd", "<｜end▁of▁sentence｜>\u0327", "e\u0301<think>\u0301e",
        // normalization that changes length or composes across pieces
        "e\u0301", "Å", "\u212b", "ﬁ", "\u1100\u1161\u11a8", "a\u0301\u0302\u0303",
        // long pieces: > 128 bytes goes through the library's heap-based merge
        new string('a', 1000), new string('9', 301), new string(' ', 500) + "x", string.Concat(Enumerable.Repeat("数学题", 80)),
        string.Concat(Enumerable.Repeat("😀", 100)), "https://example.com/" + string.Concat(Enumerable.Repeat("abcdefghij", 30)),
        // whitespace and line ends
        "\r\n\r\n", "\t\t x", "  \n  ", "a \n\n b", "\u3000\u3000x", "\u00a0\u00a0",
    ];

    [Fact]
    public async Task Every_edge_case_matches_the_reference_implementation()
    {
        var failures = await ReferenceTokenizer.MismatchesAsync(Texts);
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n{string.Join("\n", failures)}");
    }

    [Fact]
    public void Added_token_is_matched_before_NFC_composes_the_mark_into_it()
    {
        var qwen = Tokenizers.Get(TokenizerFamily.Qwen);
        var think = qwen.TokenToId("<think>");
        Assert.NotNull(think);
        var ids = qwen.Encode("<think>\u0338");
        Assert.Equal(think, ids[0]);
        Assert.Equal("<think>\u0338", qwen.Decode(ids));
    }

    [Theory]
    [InlineData(TokenizerFamily.DeepSeekV3)]
    [InlineData(TokenizerFamily.Qwen)]
    [InlineData(TokenizerFamily.Llama3)]
    public void Count_equals_the_length_of_the_encoding(TokenizerFamily family)
    {
        var tokenizer = Tokenizers.Get(family);
        foreach (var text in Texts) Assert.Equal(tokenizer.Encode(text).Length, tokenizer.CountTokens(text));
    }
}
