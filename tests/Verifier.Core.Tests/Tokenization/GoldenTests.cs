namespace Verifier.Core.Tests.Tokenization;

using System.Text.Json;
using Verifier.Core.Tokenization;

/// <summary>Every row of shared/tokenizer-golden/golden.jsonl: ids identical to the reference implementation, per family.</summary>
public class GoldenTests
{
    public static string GoldenPath
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, "shared", "tokenizer-golden", "golden.jsonl");
                if (File.Exists(p)) return p;
                p = Path.Combine(d.FullName, "tests", "data", "tokenizer-golden", "golden.jsonl");
                if (File.Exists(p)) return p;
            }
            throw new FileNotFoundException("golden.jsonl not found (shared/tokenizer-golden next to the repository)");
        }
    }

    [Theory]
    [InlineData(TokenizerFamily.DeepSeekV3, "deepseek_v3")]
    [InlineData(TokenizerFamily.Qwen, "qwen")]
    [InlineData(TokenizerFamily.Llama3, "llama3")]
    public void Every_golden_row_matches(TokenizerFamily family, string column)
    {
        var tokenizer = Tokenizers.Get(family);
        var rows = File.ReadLines(GoldenPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(1500, rows.Count);
        var failures = new List<string>();
        foreach (var row in rows)
        {
            var text = row.GetProperty("text").GetString()!;
            var expected = row.GetProperty(column).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var actual = tokenizer.Encode(text);
            if (!expected.SequenceEqual(actual) && failures.Count < 5)
                failures.Add($"{JsonSerializer.Serialize(text[..Math.Min(80, text.Length)])}: expected [{string.Join(",", expected.Take(20))}] got [{string.Join(",", actual.Take(20))}]");
            else if (!expected.SequenceEqual(actual)) failures.Add("");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} rows differ, e.g.\n{string.Join("\n", failures.Where(f => f.Length > 0))}");
    }

    [Theory]
    [InlineData(TokenizerFamily.DeepSeekV3)]
    [InlineData(TokenizerFamily.Qwen)]
    [InlineData(TokenizerFamily.Llama3)]
    public void Decode_inverts_encode(TokenizerFamily family)
    {
        var tokenizer = Tokenizers.Get(family);
        foreach (var text in new[] { "Hello, world!", "日本語のテキスト 😀 émoji", "  spaces\n\n\ttabs", "<think>\nx</think>" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }
}
