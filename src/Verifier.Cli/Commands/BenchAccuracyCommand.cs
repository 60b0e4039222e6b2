namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Verifier.Cli.Output;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.References;
using Verifier.Core.Reports;
using Verifier.Simulator;

/// <summary>`verifier bench accuracy`: SIMULATION. Full audits against simulated vendors, scored against each scenario's truth.</summary>
public static class BenchAccuracyCommand
{
    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var scenarios = new Option<string>("--scenarios") { Description = "A folder of scenario files, or a .txt list of them (one path per line, relative to the list).", Required = true };
        var repeat = new Option<int>("--repeat") { Description = "Audits per scenario (different seeds).", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Print rows and totals as one JSON document instead of the table; --json FILE keeps the table and writes the document to FILE.", Arity = ArgumentArity.ZeroOrOne };
        var quiet = CliProgress.QuietOption();
        var references = new Option<string?>("--references") { Description = "Folder of reference bundles (default: probes/references when present)." };
        var record = new Option<int>("--record-references") { Description = "First record this many suite runs per variant from honest simulated vendors and use them as reference runs.", DefaultValueFactory = _ => 0 };
        var maxRequests = new Option<int>("--max-requests") { DefaultValueFactory = _ => AuditBudget.Default.MaxRequests };
        var referenceBuilds = new Option<string[]>("--reference-builds") { Description = "With --record-references: also record these builds (e.g. r1-distill-qwen-7b@int4), not only each variant's native precision.", AllowMultipleArgumentsPerToken = true };
        var reports = new Option<string?>("--reports") { Description = "Write each audit's report (Markdown and JSON: evidence, posterior, cost) into this folder." };
        var command = new Command("accuracy", "SIMULATION: how often the verdict is right, and what it costs.") { scenarios, repeat, json, references, record, referenceBuilds, maxRequests, reports, quiet };
        command.SetAction((result, ct) => CliRunner.Guard(() => CliProgress.RunAsync(result, quiet, async progress =>
        {
            // --json alone: the document on standard output and nothing else there; --json FILE: the table as before, the document in FILE.
            var jsonResult = result.GetResult(json) is { Implicit: false } r0 ? r0 : null;
            var jsonFile = jsonResult is { Tokens.Count: > 0 } ? jsonResult.Tokens[0].Value : null;
            var text = jsonResult is null || jsonFile is not null;
            void Line(string line = "") { if (text) Console.WriteLine(line); }
            var files = ScenarioFiles(result.GetValue(scenarios)!);
            var loaded = files.Select(Scenario.Load).ToList(); // all errors before any audit
            if (result.GetValue(repeat) < 1) throw new CliException("--repeat must be at least 1.");
            var refs = new List<ReferenceRun>();
            var folder = result.GetValue(references) ?? Path.Combine(ProbeFiles.Root, "references");
            if (Directory.Exists(folder)) refs.AddRange(ReferenceBundles.ImportFolder(folder));
            if (result.GetValue(record) > 0)
            {
                var builds = VariantCatalog.Default.Variants.Count + (result.GetValue(referenceBuilds) ?? []).Distinct(StringComparer.Ordinal).Count();
                var recorded = 0;
                progress.Update("recording references", $"0/{builds} builds", 0, builds);
                refs.AddRange(await AccuracyBench.RecordReferencesAsync(result.GetValue(record), 7,
                    new Reporter<string>(m => progress.Update("recording references", $"{++recorded}/{builds} builds, SIMULATION {m}", recorded, builds, eta: true)), ct, result.GetValue(referenceBuilds)));
            }
            Line($"SIMULATION: {loaded.Count} scenarios x {result.GetValue(repeat)}, {refs.Count} reference runs");
            Line($"{"scenario",-34} {"claim",-22} {"truth",-26} {"verdict",-12} {"identified",-26} {"post.",6} {"req",4} {"prompt",8} {"compl.",8}");
            var rows = new List<BenchRow>();
            var budget = AuditBudget.Default with { MaxRequests = result.GetValue(maxRequests) };
            var total = loaded.Count * result.GetValue(repeat);
            foreach (var s in loaded)
                for (var r = 0; r < result.GetValue(repeat); r++)
                {
                    var label = $"{rows.Count + 1}/{total} {s.Name} #{r + 1}";
                    var done = rows.Count;
                    var (row, audit) = await AccuracyBench.RunAsync(s, r, refs, budget, ct,
                        new Reporter<AuditProgress>(p => progress.Update("audits", $"{label}: {p.Requests}/{p.MaxRequests} requests", done, total, eta: true)));
                    rows.Add(row);
                    if (result.GetValue(reports) is { } dir)
                    {
                        Directory.CreateDirectory(dir);
                        var context = new ReportContext($"{s.Name}-{r}", $"simulated vendor '{s.Name}'", DateTimeOffset.UtcNow) { Banner = "SIMULATION — not a real vendor" };
                        await File.WriteAllTextAsync(Path.Combine(dir, $"{s.Name}-{r}.md"), AuditReports.ToMarkdown(audit, context), ct);
                        await File.WriteAllTextAsync(Path.Combine(dir, $"{s.Name}-{r}.json"), AuditReports.ToJson(audit, context), ct);
                    }
                    Line(string.Create(CultureInfo.InvariantCulture,
                        $"{Cut(row.Scenario, 34),-34} {Cut(row.Claim, 22),-22} {Cut(row.Truth, 26),-26} {row.Verdict,-12} {Cut(row.Identified ?? "-", 26),-26} {row.TopPosterior,6:F3} {row.Requests,4} {row.PromptTokens,8} {row.CompletionTokens,8}{(row.FalseAccusation ? "  FALSE ACCUSATION" : row.MissedSubstitution ? "  missed" : "")}"));
                }
            var t = AccuracyBench.Totals(rows);
            progress.Done($"bench accuracy done: {t.Audits} audits, {t.FalseAccusations} false accusations, {t.MissedSubstitutions} missed substitutions");
            Line();
            // Per scenario: verdict counts and the most named entity (what closing notes count).
            foreach (var g in rows.GroupBy(r => r.Scenario))
            {
                var named = g.GroupBy(r => r.Identified ?? "-").OrderByDescending(n => n.Count()).First();
                Line(string.Create(CultureInfo.InvariantCulture,
                    $"{Cut(g.Key, 44),-44} consistent {g.Count(r => r.Verdict == "consistent"),3}  mismatch {g.Count(r => r.Verdict == "mismatch"),3}  inconclusive {g.Count(r => r.Verdict == "inconclusive"),3}  named {named.Key} ({named.Count()})"));
            }
            Line();
            Line(string.Create(CultureInfo.InvariantCulture, $"audits                     {t.Audits}"));
            Line(string.Create(CultureInfo.InvariantCulture, $"exact-variant accuracy     {t.ExactVariantAccuracy:P1} of {t.ExactVariantScored}"));
            Line(string.Create(CultureInfo.InvariantCulture, $"family accuracy            {t.FamilyAccuracy:P1}"));
            Line(string.Create(CultureInfo.InvariantCulture, $"false accusations          {t.FalseAccusations} of {t.HonestAudits} honest audits"));
            Line(string.Create(CultureInfo.InvariantCulture, $"missed substitutions       {t.MissedSubstitutions} of {t.SubstitutionAudits} substitution audits"));
            Line(string.Create(CultureInfo.InvariantCulture, $"inconclusive rate          {t.InconclusiveRate:P1}"));
            Line(string.Create(CultureInfo.InvariantCulture, $"honest → consistent        with logprobs {t.HonestWithLogprobs.Consistent} of {t.HonestWithLogprobs.Of} (median {t.HonestWithLogprobs.MedianRequests} requests), without {t.HonestWithoutLogprobs.Consistent} of {t.HonestWithoutLogprobs.Of} (median {t.HonestWithoutLogprobs.MedianRequests})"));
            Line(string.Create(CultureInfo.InvariantCulture, $"requests per verdict       median {t.MedianRequests}, p95 {t.P95Requests}"));
            Line(string.Create(CultureInfo.InvariantCulture, $"tokens per audit           median {t.MedianTokens}, p95 {t.P95Tokens}"));
            var document = JsonSerializer.Serialize(new { simulation = true, rows, totals = t }, ReportJson);
            if (jsonFile is not null) await File.WriteAllTextAsync(jsonFile, document, ct);
            else if (jsonResult is not null) Console.WriteLine(document);
            return 0;
        })));
        return command;
    }

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    public static IReadOnlyList<string> ScenarioFiles(string path)
    {
        if (Directory.Exists(path))
            return Directory.GetFiles(path, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (File.Exists(path) && path.EndsWith(".txt", StringComparison.Ordinal))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => Path.Combine(dir, l)).ToList();
        }
        if (File.Exists(path)) return [path];
        throw new CliException($"--scenarios '{path}' is neither a folder, a .txt list nor a scenario file.");
    }
}
