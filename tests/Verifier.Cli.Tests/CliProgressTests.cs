namespace Verifier.Cli.Tests;

using System.Globalization;
using System.Text.RegularExpressions;
using Verifier.Core.Catalog;
using Verifier.Simulator;

/// <summary>Progress goes to standard error (plain lines without a terminal), never to standard output, and --quiet silences it.</summary>
public partial class CliProgressTests
{
    private static readonly Dictionary<string, string> EveryUpdate = new() { ["VERIFIER_PROGRESS_SECONDS"] = "0" };

    [GeneratedRegex(@"^progress: audit: (\d+)/12 requests, (running|ran) \S+ \(\w+\), \d+s elapsed$")]
    private static partial Regex AuditLine();

    /// <summary>
    /// The parts of a report that do not name the vendor's port, the audit id, the clock or measured latencies (verdict,
    /// evidence, probabilities): they must be the same whoever audits with the same seed.
    /// </summary>
    private static string Stable(string report)
    {
        static string Between(string text, string from, string to)
        {
            var start = text.IndexOf(from, StringComparison.Ordinal);
            var end = text.IndexOf(to, Math.Max(start, 0), StringComparison.Ordinal);
            Assert.True(start >= 0 && end > start, $"no '{from}' … '{to}' in the report:\n{text}");
            return text[start..end];
        }
        var stable = Between(report, "# Audit report", "## Audit\n") + Between(report, "## Evidence in plain words", "## Cost");
        return string.Join('\n', stable.Split('\n').Where(l => !l.Contains("Service levels", StringComparison.Ordinal))); // measured latencies
    }

    private static async Task<(int Code, string Out, string Err)> AuditFreshVendor(IReadOnlyDictionary<string, string>? environment, params string[] more)
    {
        // A vendor per audit: the simulated vendor's sampling state moves with every request it serves.
        var scenario = Scenario.Load(Path.Combine(ProbeFiles.Root, "scenarios", "distill-llama-8b-as-r1.json"));
        await using var vendor = await SimulatedVendor.StartAsync(scenario);
        return await CliProcess.Run(null, environment, ["audit", "--endpoint", vendor.BaseUrl.ToString(), "--model", "deepseek-reasoner", "--claimed", "deepseek-r1",
            "--max-requests", "12", "--seed", "11", "--allow-host", "127.0.0.1", .. more]);
    }

    [Fact]
    public async Task Audit_progress_counts_requests_up_to_those_used_ends_with_the_verdict_and_leaves_stdout_alone()
    {
        var (code, stdout, err) = await AuditFreshVendor(EveryUpdate);
        Assert.True(code == 1, $"exit {code}: {err}");
        var lines = err.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var counts = lines.Select(l => AuditLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(counts.Count >= 4, err);
        Assert.Equal(0, counts[0]);
        for (var i = 1; i < counts.Count; i++) Assert.True(counts[i] >= counts[i - 1], $"requests went back from {counts[i - 1]} to {counts[i]}:\n{err}");
        var used = int.Parse(Regex.Match(stdout, @"(\d+) requests, [\d,]+ prompt and", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(used, counts[^1]);
        Assert.Matches(@"^progress: audit done: mismatch after \d+ requests \(.+\), \d+s$", lines[^1]);
        Assert.Equal(counts.Count + 1, lines.Count); // nothing else on stderr
        Assert.DoesNotContain("progress", stdout, StringComparison.Ordinal);

        var (quietCode, quietOut, quietErr) = await AuditFreshVendor(null, "--quiet");
        Assert.Equal(1, quietCode);
        Assert.Equal("", quietErr);
        Assert.Equal(Stable(stdout), Stable(quietOut));
    }

    [Fact]
    public async Task Without_a_terminal_progress_lines_are_occasional_and_each_new_phase_is_shown()
    {
        // Default interval (5 s): an ONNX bench of a tiny model shows its phases, not every round.
        var gpt2 = Path.Combine(CliProcess.RepositoryRoot(), "tests", "data", "models", "tiny-random-gpt2");
        var (code, stdout, err) = await CliProcess.Run(null, null, "bench", "onnx", gpt2, "--tokens", "4", "--rounds", "40");
        Assert.True(code == 0, err);
        var progress = err.Split('\n').Where(l => l.StartsWith("progress: ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("progress: generation: warm-up", progress[0], StringComparison.Ordinal);
        Assert.Contains(progress, l => l.StartsWith("progress: rounds: round 1/40", StringComparison.Ordinal));
        Assert.True(progress.Count < 20, $"{progress.Count} lines for 40 rounds:\n{err}");
        Assert.StartsWith("progress: bench onnx done", progress[^1], StringComparison.Ordinal);
        Assert.Contains("generation loop", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("progress", stdout, StringComparison.Ordinal);
    }
}
