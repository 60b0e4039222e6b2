namespace Verifier.Targets.Tests.Http;

using System.Text;
using Microsoft.AspNetCore.Http;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Targets.Http;

/// <summary>Misbehaving vendors for the reliability tests, and a small audit plan to run against them.</summary>
internal static class Vendors
{
    public static readonly TargetNetworkOptions Loopback = new() { AllowedHosts = ["127.0.0.1"] };

    /// <summary>Ten one-request reasoning probes; the usage check is off (the stubs report fixed counts).</summary>
    public static AuditPlan Plan(AuditBudget budget, bool stream = false)
    {
        var candidates = Enumerable.Range(0, 10).Select(i => new ProbeInstance($"math-{i}", "reasoning.sum", ProbeCategory.Reasoning, "t3", 100 + i,
            [ProbeRequest.Chat([ChatMessage.User($"What is {i} + {i}? Answer in \\boxed{{}}.")], 512, stream: stream)], (2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture), 800)).ToList();
        return new AuditPlan("deepseek-r1", VariantCatalog.Default, candidates, budget, "test", "h") { Options = EvidenceOptions.Default with { CheckPromptUsage = false }, Score = Score };
    }

    public static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution) =>
        new(instance.ProbeId, instance.Category, instance.Tier, execution.Responses[^1].Reply?.Content.Contains(instance.ExpectedAnswer, StringComparison.Ordinal) == true ? "pass" : "fail",
            "", execution.Exchanges.Select(e => e.Sequence).ToList());

    public static TargetEndpoint Endpoint(Uri baseUrl) => new(baseUrl, "deepseek-r1", TargetDialect.Vllm, "sk-limits-test");

    /// <summary>Writes <paramref name="total"/> bytes of <paramref name="fill"/> in 64 KiB writes, stopping when the client goes away.</summary>
    public static async Task Flood(HttpContext ctx, string prefix, byte fill, long total)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, fill);
        try
        {
            await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(prefix), ctx.RequestAborted);
            for (long sent = 0; sent < total; sent += chunk.Length) await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException) { }
    }

    /// <summary>Waits until the client gives up (or a minute passes).</summary>
    public static async Task Hang(HttpContext ctx)
    {
        try { await Task.Delay(TimeSpan.FromMinutes(1), ctx.RequestAborted); }
        catch (OperationCanceledException) { }
    }
}
