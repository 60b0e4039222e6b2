namespace Verifier.Cli.Commands;

using System.CommandLine;
using Verifier.Cli.Output;
using Verifier.Core;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Reports;
using Verifier.Storage;
using Verifier.Core.Probes.Suite;
using Verifier.Service.Audits;
using Verifier.Service.Reports;
using Verifier.Targets.Http;
using Verifier.Targets.Onnx.Runtime;

/// <summary>`verifier audit`: one audit in-process, report on stdout, exit code from the verdict.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var endpoint = new Option<string?>("--endpoint") { Description = "Server root of the OpenAI-compatible API, e.g. https://vendor.example/ (without /v1)." };
        var onnx = new Option<string?>("--onnx") { Description = "Audit a local ONNX model file or folder instead of an endpoint." };
        var device = CommonOptions.Device();
        var model = new Option<string>("--model") { Description = "Model name to send.", DefaultValueFactory = _ => "deepseek-r1" };
        var apiKey = new Option<string?>("--api-key") { Description = "Vendor API key (default: the VERIFIER_TARGET_API_KEY environment variable)." };
        var claimed = new Option<string>("--claimed") { Description = "The variant the vendor claims, e.g. deepseek-r1 or r1-distill-qwen-7b@int4.", Required = true };
        var dialect = new Option<string>("--dialect") { Description = string.Join(", ", Dialects.Names) + ".", DefaultValueFactory = _ => "vllm" };
        var json = new Option<bool>("--json") { Description = "Print the JSON report instead of Markdown." };
        var output = new Option<string?>("--out") { Description = "Also write the report to FILE (.json, .md or .html)." };
        var maxRequests = new Option<int>("--max-requests") { Description = "Request budget.", DefaultValueFactory = _ => AuditBudget.Default.MaxRequests };
        var seed = new Option<int?>("--seed") { Description = "Probe seed (default: random)." };
        var allowHost = new Option<string[]>("--allow-host")
        {
            Description = "Host that may resolve to a loopback/private address (repeatable; also Verifier__Targets__AllowedHosts, comma-separated). Others are refused at connect time.",
            AllowMultipleArgumentsPerToken = true,
        };
        var quiet = CliProgress.QuietOption();
        var command = new Command("audit", "Audit one endpoint now. Exit code: 0 consistent, 1 mismatch, 2 inconclusive, 3 error.")
        {
            db, endpoint, onnx, device, model, apiKey, claimed, dialect, json, output, maxRequests, seed, allowHost, quiet,
        };
        command.SetAction((result, ct) => CliRunner.Guard(() => CliProgress.RunAsync(result, quiet, async progress =>
        {
            var claim = result.GetValue(claimed)!;
            if (!VariantCatalog.Default.IsKnownBuild(claim))
                throw new CliException($"--claimed '{claim}' is not a catalogued variant; known: {string.Join(", ", VariantCatalog.Default.Variants.Select(v => v.Id))} (optionally @precision).");
            if (result.GetValue(maxRequests) < 1) throw new CliException("--max-requests must be at least 1.");
            var budget = AuditBudget.Default with { MaxRequests = result.GetValue(maxRequests) };
            var plan = ProbeSuite.Default.Plan(claim, budget, result.GetValue(seed) ?? Random.Shared.Next()) with { Progress = progress.Audit("audit") };
            var local = result.GetValue(onnx);
            if ((local is null) == (result.GetValue(endpoint) is null)) throw new CliException("give exactly one of --endpoint URL and --onnx PATH.");

            TargetSpec spec;
            if (local is not null)
            {
                if (!File.Exists(local) && !Directory.Exists(local)) throw new CliException($"--onnx '{local}' does not exist.");
                spec = new TargetSpec(TargetKind.Onnx, ModelPath: local);
            }
            else
            {
                if (!Uri.TryCreate(result.GetValue(endpoint), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    throw new CliException($"--endpoint '{result.GetValue(endpoint)}' is not an absolute http(s) URL.");
                spec = new TargetSpec(TargetKind.OpenAi, new TargetEndpoint(url, result.GetValue(model)!, Dialects.Parse(result.GetValue(dialect)!),
                    result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("VERIFIER_TARGET_API_KEY")));
            }
            using var handler = TargetHttp.CreateHandler(new TargetNetworkOptions
            {
                AllowedHosts = [.. TargetHttp.AllowedHostsFromEnvironment(), .. result.GetValue(allowHost) ?? []],
            });
            var runtime = new TargetRuntime(handler, Device: OnnxDevice.Parse(result.GetValue(device)), Warn: w => Console.Error.WriteLine("warning: " + w));
            AuditResult audit;
            using (var executor = TargetExecutors.Open(spec, claim, runtime)) audit = await executor.RunAsync(plan, ct);
            progress.Done($"audit done: {StoredNames.Of(audit.Verdict.Kind)} after {audit.Cost.Requests} requests ({audit.StopReason})");

            var auditId = "not stored";
            if (CommonOptions.Database(result, db) is { } cs)
            {
                await using var context = CommonOptions.OpenDb(cs);
                auditId = (await StandaloneAudits.SaveAsync(context, spec.Kind, spec.Endpoint?.BaseUrl.AbsoluteUri, spec.Endpoint?.Model,
                    spec.Endpoint is { } e ? Dialects.Name(e.Dialect) : null, spec.ModelPath, claim, budget, audit, ct)).ToString();
            }
            var now = DateTimeOffset.UtcNow;
            var report = new ReportContext(auditId, spec.ToString(), now) { Claim = claim, StartedAt = now - audit.Cost.WallTime, FinishedAt = now };
            Console.WriteLine(result.GetValue(json) ? AuditReports.ToJson(audit, report) : AuditReports.ToMarkdown(audit, report));
            if (result.GetValue(output) is { } file) await File.WriteAllTextAsync(file, Render(file, audit, report), ct);
            return audit.Verdict.Kind switch
            {
                VerdictKind.Consistent => ExitCodes.Consistent,
                VerdictKind.Mismatch => ExitCodes.Mismatch,
                _ => ExitCodes.Inconclusive,
            };
        })));
        return command;
    }

    public static string Render(string file, AuditResult audit, ReportContext report) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".json" => AuditReports.ToJson(audit, report),
        ".html" or ".htm" => ReportHtml.Render(audit, report),
        _ => AuditReports.ToMarkdown(audit, report),
    };
}
