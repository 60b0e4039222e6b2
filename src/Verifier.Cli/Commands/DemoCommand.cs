namespace Verifier.Cli.Commands;

using System.CommandLine;
using Verifier.Cli.Output;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Probes.Suite;
using Verifier.Core.Reports;
using Verifier.Simulator;
using Verifier.Targets.Http;

/// <summary>`verifier demo`: SIMULATION. Starts a simulated vendor passing off a distill as DeepSeek-R1, audits it, prints the report.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var scenarioFile = new Option<string?>("--scenario") { Description = "Scenario to audit (default: probes/scenarios/distill-qwen-7b-as-r1.json)." };
        var record = new Option<int>("--record-references") { Description = "First record this many suite runs of every variant from honest simulated deployments, as reference runs (0: published scores only).", DefaultValueFactory = _ => 1 };
        var json = CliJson.Flag();
        var command = new Command("demo", "SIMULATION: start a simulated vendor and audit it end to end.") { scenarioFile, record, json };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            var scenario = Scenario.Load(result.GetValue(scenarioFile) ?? Path.Combine(ProbeFiles.Root, "scenarios", "distill-qwen-7b-as-r1.json"));
            if (result.GetValue(record) < 0) throw new CliException("--record-references must be 0 or more.");
            // Simulated reference runs stay in memory: they must never mix with real ones in probes/references.
            var references = result.GetValue(record) > 0
                ? await AccuracyBench.RecordReferencesAsync(result.GetValue(record), 7, new Progress<string>(m => Console.Error.WriteLine("SIMULATION " + m)), ct)
                : [];
            await using var vendor = await SimulatedVendor.StartAsync(scenario);
            Console.Error.WriteLine($"SIMULATION: '{scenario.Name}' on {vendor.BaseUrl}; auditing the claim {scenario.ClaimedVariant}…");
            var plan = ProbeSuite.Default.Plan(scenario.ClaimedVariant, AuditBudget.Default, Random.Shared.Next()) with { References = references };
            using var handler = new SocketsHttpHandler();
            var endpoint = new TargetEndpoint(vendor.BaseUrl, (scenario.Claims ?? new Claims()).Model, Dialects.Parse(scenario.Dialect));
            var audit = await new HttpTarget(handler, endpoint, AccuracyBench.FastClient).RunAsync(plan, ct);
            var report = new ReportContext("demo", $"simulated vendor '{scenario.Name}' at {vendor.BaseUrl}", DateTimeOffset.UtcNow) { Banner = "SIMULATION — not a real vendor" };
            Console.WriteLine(result.GetValue(json) ? AuditReports.ToJson(audit, report) : AuditReports.ToMarkdown(audit, report));
            return audit.Verdict.Kind switch { VerdictKind.Consistent => 0, VerdictKind.Mismatch => 1, _ => 2 };
        }));
        return command;
    }
}
