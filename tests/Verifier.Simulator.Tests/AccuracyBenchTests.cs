namespace Verifier.Simulator.Tests;

using Verifier.Core.Audits;
using Verifier.Simulator;

/// <summary>SIMULATION. The CI subset of the accuracy bench: the safety properties must hold on every run.</summary>
public class AccuracyBenchTests
{
    [Fact]
    public async Task Ci_subset_has_no_false_accusation_and_catches_every_substitution()
    {
        var folder = Path.Combine(Verifier.Core.Catalog.ProbeFiles.Root, "scenarios");
        var files = File.ReadAllLines(Path.Combine(folder, "ci-subset.txt")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var references = await AccuracyBench.RecordReferencesAsync(1, 7, null, CancellationToken.None);
        var rows = new List<BenchRow>();
        foreach (var f in files)
            rows.Add((await AccuracyBench.RunAsync(Scenario.Load(Path.Combine(folder, f)), 0, references, AuditBudget.Default, CancellationToken.None)).Row);

        var totals = AccuracyBench.Totals(rows);
        Assert.Equal(0, totals.FalseAccusations);
        Assert.Equal(0, totals.MissedSubstitutions);
        // Honest stacks that return logprobs end consistent (the fingerprint settles same-tokenizer alternatives).
        foreach (var r in rows.Where(r => r.Honest && r.Scenario is "honest-deepseek-r1" or "honest-r1-distill-qwen-7b" or "faulty-honest-r1"))
            Assert.True(r.Verdict == "consistent", $"{r.Scenario}: {r.Verdict}");
        Assert.Contains(rows, r => r.Scenario == "quantized-qwen-7b-int4-as-bf16"
            && (r.Identified!.Contains("@int4", StringComparison.Ordinal) || r.Identified.Contains("q4_k_m", StringComparison.Ordinal)));
        // Models outside the catalogue are named as such, not as the catalogued build their answers happen to resemble.
        foreach (var r in rows.Where(r => r.Scenario.StartsWith("outside-", StringComparison.Ordinal)))
            Assert.True(r.Identified == "unknown", $"{r.Scenario}: named {r.Identified}");
        foreach (var r in rows.Where(r => r.Scenario.StartsWith("distill-", StringComparison.Ordinal) && !r.Scenario.Contains("prompt-cache", StringComparison.Ordinal)))
        {
            Assert.True(r.Requests <= 2, $"{r.Scenario}: decided after {r.Requests} requests");
            Assert.Equal(r.Truth, r.Identified);
        }
    }
}
