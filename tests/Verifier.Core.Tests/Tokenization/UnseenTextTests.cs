namespace Verifier.Core.Tests.Tokenization;

using System.Text;

/// <summary>
/// Text the golden file never saw (seeded generator of scripts, emoji, digit and whitespace runs, code, special-token
/// text, random code points), compared with the reference JavaScript tokenizer run through node in the same test.
/// </summary>
public class UnseenTextTests
{
    private static readonly string[] Pieces =
    [
        "the", " quick", "Brown", "FOX", "'s", "'ll", "'RE", " don't", "can't", "I'm", "123", "4567", "8901234", "3.14159", "1,000,000", "0x1F",
        "你好", "世界", "数学题", "测试", "ひらがな", "カタカナ", "ｶﾀｶﾅ", "ﾊﾝｶｸ", "한국어", "Ελληνικά", "русский", "العربية", "עברית", "हिन्दी", "ไทย",
        "😀", "🚀", "👩‍💻", "🏳️‍🌈", "🇩🇪", "𠀀", "𝔘𝔫𝔦", "\U0001F9EA",
        " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000", "\u2009", "\u200b", "\u200d", "\ufeff",
        "e\u0301", "n\u0303", "Å", "ﬁ", "①", "½", "²", "ℕ",
        "<think>", "</think>", "<｜User｜>", "<｜Assistant｜>", "<｜begin▁of▁sentence｜>", "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|endoftext|>", "<|begin_of_text|>",
        "def f(x):", "    return x**2", "if (a && b) { c++; }", "=>", "::", "#include <stdio.h>", "```python", "\\boxed{42}", "$$\\frac{1}{2}$$", "...", "!!!", "?!", "--", "—", "“quoted”", "«»",
    ];

    public static IEnumerable<string> Texts(int seed, int count)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            var n = random.Next(1, 30);
            for (var j = 0; j < n; j++)
            {
                var r = random.NextDouble();
                if (r < 0.75) sb.Append(Pieces[random.Next(Pieces.Length)]);
                else if (r < 0.85) sb.Append(new string(' ', random.Next(1, 12)));
                else if (r < 0.92) sb.Append(random.NextInt64(0, 10_000_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                else
                {
                    int cp;
                    do cp = random.Next(0x20, 0x2FFFF); while (cp is >= 0xD800 and <= 0xDFFF);
                    sb.Append(char.ConvertFromUtf32(cp));
                }
            }
            yield return sb.ToString();
        }
    }

    [Fact]
    public async Task Unseen_text_matches_the_reference_implementation()
    {
        var failures = await ReferenceTokenizer.MismatchesAsync(Texts(seed: 20261124, count: 1200).ToList());
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches, e.g.\n{string.Join("\n", failures.Take(5))}");
    }
}
