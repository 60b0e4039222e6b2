namespace Verifier.Core.Tests.Tokenization;

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Verifier.Core.Assets;
using Verifier.Core.Tokenization;

/// <summary>The reference JavaScript tokenizer (@huggingface/tokenizers), run through node on texts the test chooses.</summary>
public static class ReferenceTokenizer
{
    /// <summary>Each family with its column in the reference output.</summary>
    public static readonly (TokenizerFamily Family, string Column)[] Families =
        [(TokenizerFamily.DeepSeekV3, "deepseek_v3"), (TokenizerFamily.Qwen, "qwen"), (TokenizerFamily.Llama3, "llama3")];

    /// <summary>Per text, the reference ids of every family (no BOS/EOS), keyed by column.</summary>
    public static async Task<List<Dictionary<string, int[]>>> EncodeAsync(IReadOnlyList<string> texts)
    {
        var script = Path.Combine(AssetPaths.Root, "tokenizer-ref", "encode.mjs");
        Assert.True(File.Exists(script), $"{script} missing: run scripts/fetch-assets.sh (it installs the reference tokenizer with npm)");
        var info = new ProcessStartInfo("node", [script, Path.Combine(AssetPaths.Root, "tokenizers")])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.UTF8,
        };
        using var node = Process.Start(info) ?? throw new InvalidOperationException("node could not be started: install Node.js");
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        foreach (var t in texts) await node.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new { text = t }));
        node.StandardInput.Close();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, "reference tokenizer failed: " + await errors);
        var rows = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<Dictionary<string, int[]>>(l)!).ToList();
        Assert.Equal(texts.Count, rows.Count);
        return rows;
    }

    /// <summary>"family: text" for every text and family whose ids differ from the reference's.</summary>
    public static async Task<List<string>> MismatchesAsync(IReadOnlyList<string> texts)
    {
        var reference = await EncodeAsync(texts);
        var failures = new List<string>();
        for (var i = 0; i < texts.Count; i++)
            foreach (var (family, column) in Families)
            {
                var actual = Tokenizers.Get(family).Encode(texts[i]);
                if (!reference[i][column].SequenceEqual(actual))
                    failures.Add($"{column}: {JsonSerializer.Serialize(texts[i])} expected [{string.Join(",", reference[i][column].Take(12))}] got [{string.Join(",", actual.Take(12))}]");
            }
        return failures;
    }
}
