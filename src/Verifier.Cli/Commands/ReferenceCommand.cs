namespace Verifier.Cli.Commands;

using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Verifier.Cli.Output;
using Verifier.Core.Catalog;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;
using Verifier.Storage;
using Verifier.Targets.Http;

/// <summary>`verifier reference record|export|import`: reference runs of trusted deployments, as JSON bundles and in the database.</summary>
public static class ReferenceCommand
{
    public static Command Create()
    {
        var reference = new Command("reference", "Reference runs: the suite run against trusted deployments of each variant.");

        var db = CommonOptions.Db();
        var variant = new Option<string>("--variant") { Description = "The build the trusted deployment serves, e.g. r1-distill-qwen-7b or deepseek-r1@fp8.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "Server root of the trusted deployment.", Required = true };
        var model = new Option<string>("--model") { Description = "Model name to send.", DefaultValueFactory = _ => "deepseek-r1" };
        var dialect = new Option<string>("--dialect") { DefaultValueFactory = _ => "vllm" };
        var runs = new Option<int>("--runs") { Description = "How many times to run the suite (fresh seeds each time).", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Write the bundle here (default: probes/references/<variant>.json)." };
        var json = CliJson.Flag();
        var quiet = CliProgress.QuietOption();
        var record = new Command("record", "Run the suite against a trusted deployment and store the outcome statistics.") { db, variant, endpoint, model, dialect, runs, output, json, quiet };
        record.SetAction((result, ct) => CliRunner.Guard(() => CliProgress.RunAsync(result, quiet, async progress =>
        {
            var build = result.GetValue(variant)!;
            if (!VariantCatalog.Default.IsKnownBuild(build)) throw new CliException($"--variant '{build}' is not a catalogued build.");
            if (result.GetValue(runs) < 1) throw new CliException("--runs must be at least 1.");
            if (!Uri.TryCreate(result.GetValue(endpoint), UriKind.Absolute, out var url)) throw new CliException("--endpoint must be an absolute URL.");
            var suite = ProbeSuite.Default;
            // A trusted deployment named by the operator (often on this machine): its host is allowed, the other limits apply.
            using var handler = TargetHttp.CreateHandler(new TargetNetworkOptions { AllowedHosts = [.. TargetHttp.AllowedHostsFromEnvironment(), url.Host] });
            var run = await ReferenceRecording.RecordAsync(build, new TargetEndpoint(url, result.GetValue(model)!, Dialects.Parse(result.GetValue(dialect)!),
                Environment.GetEnvironmentVariable("VERIFIER_TARGET_API_KEY")), suite, result.GetValue(runs), Random.Shared.Next(), handler,
                progress: new Reporter<ReferenceProgress>(p => progress.Update($"run {p.Run}/{p.Runs}", $"{build}, probe {p.Probe}/{p.Probes}, {p.Requests} requests",
                    p.Run - 1 + (double)p.Probe / p.Probes, p.Runs, eta: true)),
                cancellationToken: ct);
            var path = result.GetValue(output) ?? Path.Combine(ProbeFiles.Root, "references", build.Replace('@', '_') + ".json");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            ReferenceBundles.ExportFile(path, [run], suite.Version, suite.ContentHash);
            var cs = CommonOptions.Database(result, db);
            if (cs is not null) await SaveAsync(cs, [run], ct);
            var outcomes = run.Cells.Sum(c => c.Counts.Values.Sum());
            progress.Done($"recorded {build}: {result.GetValue(runs)} runs, {outcomes} outcomes");
            if (result.GetValue(json)) CliJson.Print(new { id = run.Id, build, runs = result.GetValue(runs), outcomes, path, stored = cs is not null });
            else Console.WriteLine($"recorded {run.Id}: {outcomes} outcomes -> {path}");
            return 0;
        })));

        var db2 = CommonOptions.Db();
        var exportTo = new Option<string>("--out") { Description = "Bundle file to write.", Required = true };
        var json2 = CliJson.Flag();
        var export = new Command("export", "Write the reference runs stored in the database to a JSON bundle.") { db2, exportTo, json2 };
        export.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db2));
            var bundles = await context.ReferenceRuns.AsNoTracking().OrderBy(r => r.CreatedAt).ToListAsync(ct);
            var runsList = bundles.SelectMany(b => ReferenceBundles.Import(b.Bundle, b.Id).Runs).ToList();
            var suite = ProbeSuite.Default;
            ReferenceBundles.ExportFile(result.GetValue(exportTo)!, runsList, suite.Version, suite.ContentHash);
            if (result.GetValue(json2)) CliJson.Print(new { runs = runsList.Count, path = result.GetValue(exportTo) });
            else Console.WriteLine($"exported {runsList.Count} reference runs");
            return 0;
        }));

        var db3 = CommonOptions.Db();
        var file = new Argument<string>("file") { Description = "A bundle written by record or export." };
        var json3 = CliJson.Flag();
        var import = new Command("import", "Store the runs of a JSON bundle in the database.") { db3, file, json3 };
        import.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path)) throw new CliException($"'{path}' does not exist.");
            var bundle = ReferenceBundles.ImportFile(path);
            await SaveAsync(CommonOptions.RequireDatabase(result, db3), bundle.Runs, ct);
            if (result.GetValue(json3)) CliJson.Print(new { runs = bundle.Runs.Count, suiteVersion = bundle.SuiteVersion });
            else Console.WriteLine($"imported {bundle.Runs.Count} reference runs (suite {bundle.SuiteVersion})");
            return 0;
        }));

        reference.Subcommands.Add(record);
        reference.Subcommands.Add(export);
        reference.Subcommands.Add(import);
        return reference;
    }

    private static async Task SaveAsync(string cs, IReadOnlyList<ReferenceRun> runs, CancellationToken ct)
    {
        await using var context = CommonOptions.OpenDb(cs);
        foreach (var run in runs)
        {
            if (await context.ReferenceRuns.AnyAsync(r => r.Id == run.Id, ct)) continue;
            context.ReferenceRuns.Add(new ReferenceRunRow
            {
                Id = run.Id, Variant = run.Build, SuiteVersion = run.SuiteVersion, SuiteHash = run.SuiteHash, CreatedAt = run.RecordedAt,
                Bundle = ReferenceBundles.Export([run], run.SuiteVersion, run.SuiteHash),
            });
        }
        await context.SaveChangesAsync(ct);
    }
}
