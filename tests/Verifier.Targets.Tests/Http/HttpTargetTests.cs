namespace Verifier.Targets.Tests.Http;

using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Targets.Http;

/// <summary>The engine driving the real client against a Kestrel vendor that serves a Qwen distill as "deepseek-r1", with faults.</summary>
public class HttpTargetTests
{
    private const int SegmentRepeats = 8;

    // Segment token counts per tokenizer family as the stub "vendor" reports them (stand-in for the tokenizer helper's probes).
    private static readonly Dictionary<string, int> SegmentTokens = new() { ["deepseek-v3"] = 5, ["qwen"] = 6, ["llama3"] = 7 };

    private static List<ProbeInstance> Candidates()
    {
        var list = new List<ProbeInstance>();
        for (var i = 0; i < 4; i++)
            list.Add(new ProbeInstance($"tok-{i}", "tokenizer.delta", ProbeCategory.Tokenizer, "family", i,
                [ProbeRequest.Chat([ChatMessage.User("segment")], 1, stream: i % 2 == 0)], "", 60));
        for (var i = 0; i < 10; i++)
            list.Add(new ProbeInstance($"math-{i}", "reasoning.sum", ProbeCategory.Reasoning, "t3", 100 + i,
                [ProbeRequest.Chat([ChatMessage.User($"What is {i} + {i}? Answer in \\boxed{{}}.")], 512)], (2 * i).ToString(System.Globalization.CultureInfo.InvariantCulture), 800));
        return list;
    }

    private static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var r = execution.Responses[^1];
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        if (instance.Category == ProbeCategory.Tokenizer)
        {
            var perSegment = (r.Reply?.Usage?.PromptTokens ?? 0) / SegmentRepeats;
            var family = SegmentTokens.FirstOrDefault(kv => kv.Value == perSegment).Key ?? "other";
            var ll = SegmentTokens.Keys.ToDictionary(f => f, f => f == family ? 0.0 : -30.0);
            ll["unknown"] = family == "other" ? 0 : Math.Log(0.25);
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, "family:" + family, family, seqs, ll);
        }
        var m = Regex.Match(r.Reply?.Content ?? "", @"\\boxed\{([^}]*)\}");
        var key = !m.Success ? "no-answer" : m.Groups[1].Value == instance.ExpectedAnswer ? "pass" : "fail";
        return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, key, m.Groups[1].Value, seqs);
    }

    [Fact]
    public async Task Substituted_distill_is_a_mismatch_and_rescoring_raw_exchanges_reproduces_it()
    {
        var random = new Random(4);
        StubServer? self = null;
        await using var server = self = await StubServer.StartAsync(async (ctx, i) =>
        {
            if (i % 5 == 1) { await StubServer.Json(ctx, """{"error":"overloaded"}""", 503); return; } // a flaky vendor
            byte[] sent;
            lock (self!.Received) sent = self.Received[i].Body;
            var q = Regex.Match(System.Text.Encoding.UTF8.GetString(sent), @"What is (\d+) \+");
            var expected = q.Success ? (2 * int.Parse(q.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture) : "0";
            var usage = new { prompt_tokens = SegmentTokens["qwen"] * SegmentRepeats, completion_tokens = 20 };
            string answer;
            lock (random) answer = random.NextDouble() < 0.6 ? "right" : "wrong";
            var content = "thinking</think>\n\n\\boxed{" + (answer == "right" ? expected : "-1") + "}";
            var stream = ctx.Request.Headers.Accept.ToString().Contains("event-stream", StringComparison.Ordinal);
            if (stream)
            {
                ctx.Response.ContentType = "text/event-stream";
                await ctx.Response.WriteAsync("data: " + JsonSerializer.Serialize(new { choices = new[] { new { delta = new { content } } } }) + "\n\n");
                await ctx.Response.WriteAsync("data: " + JsonSerializer.Serialize(new { choices = Array.Empty<object>(), usage }) + "\n\ndata: [DONE]\n\n");
                return;
            }
            await StubServer.Json(ctx, JsonSerializer.Serialize(new { model = "deepseek-r1", choices = new[] { new { finish_reason = "stop", message = new { role = "assistant", content } } }, usage }));
        });

        var candidates = Candidates();
        // The stub reports one fixed prompt_tokens for every request, which only the tokenizer pair is built for.
        var plan = new AuditPlan("deepseek-r1", VariantCatalog.Default, candidates, new AuditBudget(30, 100_000, TimeSpan.FromMinutes(1)), "test", "h")
        {
            Options = EvidenceOptions.Default with { CheckPromptUsage = false },
            Score = Score,
        };
        var options = new ClientOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) };
        using var handler = new SocketsHttpHandler();
        var result = await new HttpTarget(handler, new TargetEndpoint(server.BaseUrl, "deepseek-r1", TargetDialect.Vllm, "sk-x"), options, new InstantDelays()).RunAsync(plan);

        Assert.Equal(VerdictKind.Mismatch, result.Verdict.Kind);
        Assert.Contains(result.Exchanges, e => e.StatusCode == 503);
        Assert.True(result.Cost.Requests <= 30);
        Assert.All(result.Evidence.Where(e => e.Weighing == "deterministic"), e => Assert.Equal("family:qwen", e.OutcomeKey));
        var capability = result.Evidence.Where(e => e.Category == "Reasoning" && e.OutcomeKey is not null).ToList();
        Assert.Contains(capability, e => e.OutcomeKey == "pass");

        var byId = candidates.ToDictionary(c => c.ProbeId);
        var again = AuditEngine.Rescore(plan, result, p => byId[p.ProbeId], HttpTarget.Replay);
        Assert.Equal(result.Verdict.Kind, again.Verdict.Kind);
        Assert.Equal(result.Verdict.ClaimPosterior, again.Verdict.ClaimPosterior);
        Assert.Equal(result.Verdict.Posterior, again.Verdict.Posterior);
        Assert.Equal(result.Evidence.Select(e => e.OutcomeKey), again.Evidence.Select(e => e.OutcomeKey));
    }
}
