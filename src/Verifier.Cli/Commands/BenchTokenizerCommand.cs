namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Verifier.Cli.Output;
using Verifier.Core.Assets;
using Verifier.Core.Tokenization;

/// <summary>
/// `verifier bench tokenizer`: single-thread throughput of each family and, in the same run on the same text, the
/// reference JavaScript implementation's (node, @huggingface/tokenizers), with the ratio; plus load time and memory.
/// </summary>
public static class BenchTokenizerCommand
{
    // The throughput the tokenizer must keep per family, as a multiple of the reference's in the same run.
    private const double TargetRatio = 8;
    private const int Rounds = 3;

    public static Command Create()
    {
        var textFile = new Option<string?>("--text") { Description = "Text to tokenize (default: a generated 2 MB multilingual text with code and numbers)." };
        var json = CliJson.Flag();
        var quiet = CliProgress.QuietOption();
        var command = new Command("tokenizer", "Tokenizer throughput vs the reference JavaScript implementation.") { textFile, json, quiet };
        command.SetAction((result, ct) => CliRunner.Guard(() => CliProgress.RunAsync(result, quiet, async progress =>
        {
            var path = result.GetValue(textFile);
            if (path is not null && !File.Exists(path)) throw new CliException($"--text '{path}' does not exist.");
            path ??= WriteDefaultText();
            var text = await File.ReadAllTextAsync(path, ct);
            var megabytes = Encoding.UTF8.GetByteCount(text) / 1e6;

            var before = GC.GetTotalMemory(true);
            var loaded = new Dictionary<TokenizerFamily, (BpeTokenizer T, double Seconds)>();
            foreach (var f in TokenizerFamilies.All)
            {
                progress.Update("loading tokenizers", TokenizerFamilies.Key(f), loaded.Count, TokenizerFamilies.All.Length);
                var sw = Stopwatch.StartNew();
                var t = Tokenizers.Load(f, null);
                loaded[f] = (t, sw.Elapsed.TotalSeconds);
            }
            var managed = (GC.GetTotalMemory(true) - before) / 1e6;

            // Rounds alternate the reference run and ours, and each side keeps its best round: on a shared machine the
            // load changes from minute to minute, and a ratio of two runs far apart in time would measure that instead.
            var reference = new Dictionary<string, (double MBps, double TokensPerSecond)>();
            var ours = TokenizerFamilies.All.ToDictionary(f => f, _ => (Seconds: double.MaxValue, Count: 0));
            var steps = Rounds * (1 + TokenizerFamilies.All.Length);
            for (var round = 0; round < Rounds; round++)
            {
                var step = round * (1 + TokenizerFamilies.All.Length);
                progress.Update("rounds", $"round {round + 1}/{Rounds}: reference (node)", step, steps, eta: true);
                foreach (var (family, r) in RunReference(path))
                    if (!reference.TryGetValue(family, out var kept) || r.MBps > kept.MBps) reference[family] = r;
                foreach (var f in TokenizerFamilies.All)
                {
                    // Same method as the reference: a fresh tokenizer warmed on the first 100,000 characters, then the whole text.
                    progress.Update("rounds", $"round {round + 1}/{Rounds}: {TokenizerFamilies.Key(f)}", ++step, steps, eta: true);
                    var fresh = round == 0 ? loaded[f].T : Tokenizers.Load(f, null);
                    fresh.CountTokens(text[..Math.Min(text.Length, 100_000)]);
                    var sw = Stopwatch.StartNew();
                    var count = fresh.CountTokens(text);
                    if (sw.Elapsed.TotalSeconds < ours[f].Seconds) ours[f] = (sw.Elapsed.TotalSeconds, count);
                }
            }

            progress.Done($"bench tokenizer done: {Rounds} rounds");
            var families = TokenizerFamilies.All.Select(f =>
            {
                var (best, count) = ours[f];
                var mbps = megabytes / best;
                var (refMbps, refTps) = reference.TryGetValue(TokenizerFamilies.Asset(f).Folder, out var r) ? r : (double.NaN, double.NaN);
                return new TokenizerFigures(TokenizerFamilies.Key(f), loaded[f].Seconds, mbps, count / best, count, CliJson.Figure(refMbps), CliJson.Figure(refTps),
                    CliJson.Figure(mbps / refMbps), mbps / refMbps < TargetRatio);
            }).ToList();
            if (result.GetValue(json))
            {
                CliJson.Print(new { text = path, megabytes, rounds = Rounds, engine = BpeTokenizer.Engine, targetRatio = TargetRatio, families, managedMemoryMegabytes = managed });
                return 0;
            }
            Console.WriteLine($"text: {path} ({megabytes:F2} MB), single thread, best of {Rounds} alternating rounds; engine: {BpeTokenizer.Engine}");
            Console.WriteLine($"{"family",-12} {"load s",7} {"MB/s",8} {"tokens/s",12} {"tokens",10} | {"ref MB/s",9} {"ref tok/s",10} | ratio");
            foreach (var x in families)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{x.Family,-12} {x.LoadSeconds,7:F2} {x.MegabytesPerSecond,8:F2} {x.TokensPerSecond,12:F0} {x.Tokens,10} | {x.ReferenceMegabytesPerSecond ?? double.NaN,9:F2} {x.ReferenceTokensPerSecond ?? double.NaN,10:F0} | {x.Ratio ?? double.NaN:F1}x{(x.BelowTarget ? $" (below the {TargetRatio:F0}x target)" : "")}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed memory for the three tokenizers: {managed:F0} MB"));
            return 0;
        })));
        return command;
    }

    /// <summary>One family's figures; the reference's are null when node gave none for it.</summary>
    private sealed record TokenizerFigures(string Family, double LoadSeconds, double MegabytesPerSecond, double TokensPerSecond, long Tokens,
        double? ReferenceMegabytesPerSecond, double? ReferenceTokensPerSecond, double? Ratio, bool BelowTarget);

    private static Dictionary<string, (double MBps, double TokensPerSecond)> RunReference(string textPath)
    {
        var script = Path.Combine(AssetPaths.Root, "tokenizer-ref", "bench.mjs");
        if (!File.Exists(script)) throw new CliException($"{script} missing: run scripts/fetch-assets.sh.");
        var info = new ProcessStartInfo("node", [script, Path.Combine(AssetPaths.Root, "tokenizers"), textPath]) { RedirectStandardOutput = true };
        using var node = Process.Start(info) ?? throw new CliException("node could not be started.");
        var lines = node.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        node.WaitForExit();
        if (node.ExitCode != 0) throw new CliException("the reference benchmark (node) failed.");
        return lines.Select(l => l.Split('\t')).ToDictionary(p => p[0], p => (double.Parse(p[1], CultureInfo.InvariantCulture), double.Parse(p[2], CultureInfo.InvariantCulture)));
    }

    /// <summary>A fixed, generated benchmark text: prose, code, CJK and kana, numbers, whitespace runs, emoji.</summary>
    public static string WriteDefaultText()
    {
        var path = Path.Combine(Path.GetTempPath(), "verifier-bench-tokenizer.txt");
        if (File.Exists(path)) return path;
        var random = new Random(42);
        string[] words = ["the", "model", "reasoning", "answer", "verify", "token", "vendor", "contract", "audit", "evidence", "distill", "quantized", "variant", "probability", "endpoint", "latency"];
        string[] cjk = ["模型", "推理", "答案", "验证", "令牌", "供应商", "合同", "审计", "证据", "ひらがな", "カタカナ", "テスト"];
        string[] code = ["def f(x):\n    return x * 2\n", "for (let i = 0; i < n; i++) { s += a[i]; }\n", "if err != nil {\n\treturn err\n}\n", "SELECT id, name FROM targets WHERE deleted_at IS NULL;\n"];
        var sb = new StringBuilder();
        while (sb.Length < 2_000_000)
        {
            var r = random.NextDouble();
            if (r < 0.6) { for (var i = 0; i < 12; i++) sb.Append(i == 0 ? char.ToUpperInvariant(words[random.Next(words.Length)][0]) + words[random.Next(words.Length)][1..] : " " + words[random.Next(words.Length)]); sb.Append(". "); }
            else if (r < 0.75) sb.Append(string.Concat(Enumerable.Range(0, 8).Select(_ => cjk[random.Next(cjk.Length)]))).Append('。');
            else if (r < 0.88) sb.Append(code[random.Next(code.Length)]);
            else if (r < 0.95) sb.Append(' ').Append(random.NextInt64(0, 1_000_000_000_000).ToString(CultureInfo.InvariantCulture)).Append(" km, ");
            else sb.Append("\n\n    😀 🚀 ").Append(new string(' ', random.Next(1, 8))).Append('\n');
        }
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
