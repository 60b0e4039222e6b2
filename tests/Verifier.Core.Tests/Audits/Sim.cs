namespace Verifier.Core.Tests.Audits;

using System.Text;
using System.Text.Json;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Evidence;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.References;

/// <summary>
/// In-memory target for engine tests: each request is answered by one component of the truth (a build, or a mixture
/// drawn per request), outcomes drawn from a pass-rate function, written into a raw exchange body that the scorer
/// parses back — so rescoring from stored exchanges is exercised for real.
/// </summary>
internal static class Sim
{
    public static readonly VariantCatalog Catalog = VariantCatalog.Default;
    public static readonly string[] Tiers = ["t1", "t2", "t3", "t4"];

    public sealed record Component(string Variant, string Precision, double Weight);

    public static List<ProbeInstance> Candidates(int perCell, int tokenizerProbes, int seed)
    {
        var list = new List<ProbeInstance>();
        var s = seed * 100_000;
        for (var i = 0; i < tokenizerProbes; i++)
            list.Add(new ProbeInstance($"tok-{i}", "tokenizer.count-delta", ProbeCategory.Tokenizer, "family", s++, [ProbeRequest.Chat([ChatMessage.User("x")], 1)], "", 120));
        foreach (var cat in new[] { ProbeCategory.Reasoning, ProbeCategory.Code })
            foreach (var tier in Tiers)
                for (var i = 0; i < perCell; i++)
                    list.Add(new ProbeInstance($"{cat}-{tier}-{i}", $"{cat}.gen", cat, tier, s++, [ProbeRequest.Chat([ChatMessage.User("q")], 2000)], "42", 1500));
        return list;
    }

    /// <summary>Pass rate of the weak prior's mean: "the model is right" simulations.</summary>
    public static double ModelRate(string variant, string precision, ProbeCategory c, string tier) =>
        CapabilityModel.WeakPassRate(Catalog.Get(variant), Catalog.FindPrecision(precision), c, tier);

    public static Func<ProbeInstance, CancellationToken, Task<ProbeExecution>> Executor(
        IReadOnlyList<Component> truth, Random random, Func<string, string, ProbeCategory, string, double>? rate = null, string? tokenizerOverride = null,
        Func<string, Random, string>? behaviour = null)
    {
        rate ??= ModelRate;
        var sequence = 0;
        return (instance, _) =>
        {
            var u = random.NextDouble();
            var who = truth[^1];
            foreach (var c in truth) { if (u < c.Weight) { who = c; break; } u -= c.Weight; }
            string body;
            if (instance.Category == ProbeCategory.Tokenizer)
                body = JsonSerializer.Serialize(new { family = tokenizerOverride ?? Catalog.Get(who.Variant).Tokenizer });
            else if (instance.Category == ProbeCategory.Behaviour)
                body = JsonSerializer.Serialize(new { outcome = behaviour!(who.Variant, random) });
            else
            {
                var p = rate(who.Variant, who.Precision, instance.Category, instance.Tier);
                var r = random.NextDouble();
                var key = r < 0.03 ? "no-answer" : random.NextDouble() < p ? "pass" : "fail";
                body = JsonSerializer.Serialize(new { outcome = key });
            }
            var seq = ++sequence;
            var exchange = new Exchange(seq, instance.ProbeId, "POST", "http://sim/v1/chat/completions", new Dictionary<string, string>(),
                Encoding.UTF8.GetBytes("{}"), 200, new Dictionary<string, string>(), Encoding.UTF8.GetBytes(body), ExchangeOutcome.Ok, null,
                DateTimeOffset.UnixEpoch.AddSeconds(seq), TimeSpan.FromMilliseconds(10), null, new TokenUsage(100, 200), 1);
            return Task.FromResult(new ProbeExecution([new ProbeResponse(0, true, 200, null, body, seq)], [exchange]));
        };
    }

    /// <summary>Scores from the raw exchange body only (what a rescore has).</summary>
    public static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var body = Encoding.UTF8.GetString(execution.Exchanges[^1].ResponseBody);
        using var doc = JsonDocument.Parse(body);
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        if (instance.Category == ProbeCategory.Tokenizer)
        {
            var family = doc.RootElement.GetProperty("family").GetString()!;
            return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, "family:" + family, family, seqs, TokenizerLikelihoods(family));
        }
        var key = doc.RootElement.GetProperty("outcome").GetString()!;
        return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, key, key, seqs);
    }

    /// <summary>What a tokenizer scorer reports: the observed family fits, the others do not; "unknown" fits a foreign tokenizer.</summary>
    public static Dictionary<string, double> TokenizerLikelihoods(string observed)
    {
        var families = new[] { "deepseek-v3", "qwen", "llama3" };
        var d = families.ToDictionary(f => f, f => f == observed ? 0.0 : -30.0);
        d["unknown"] = families.Contains(observed) ? Math.Log(0.25) : 0.0;
        return d;
    }

    public static AuditPlan Plan(string claim, IReadOnlyList<ProbeInstance> candidates, int maxRequests, IReadOnlyList<ReferenceRun>? references = null) =>
        new(claim, Catalog, candidates, new AuditBudget(maxRequests, 10_000_000, TimeSpan.FromHours(1)), "test-suite-1", "hash-1")
        {
            References = references ?? [],
            Score = Score,
        };

    /// <summary>A reference run for a build with counts drawn from the model rates (n per cell).</summary>
    public static ReferenceRun Reference(string variant, string precision, int n, Random random)
    {
        var run = ReferenceRecorder.Empty($"ref-{variant}@{precision}", $"{variant}@{precision}", "http://trusted", DateTimeOffset.UnixEpoch, "test-suite-1", "hash-1");
        var cells = new List<ReferenceCell>();
        foreach (var cat in new[] { ProbeCategory.Reasoning, ProbeCategory.Code })
            foreach (var tier in Tiers)
            {
                var p = ModelRate(variant, precision, cat, tier);
                int pass = 0, fail = 0, na = 0;
                for (var i = 0; i < n; i++)
                {
                    if (random.NextDouble() < 0.03) na++;
                    else if (random.NextDouble() < p) pass++;
                    else fail++;
                }
                cells.Add(new ReferenceCell(cat, tier, new Dictionary<string, int> { ["pass"] = pass, ["fail"] = fail, ["no-answer"] = na }));
            }
        return run with { Cells = cells };
    }

    public static IReadOnlyList<ReferenceRun> ReferencesForAllNative(int n, int seed)
    {
        var random = new Random(seed);
        return Catalog.Variants.Select(v => Reference(v.Id, v.NativePrecision, n, random)).ToList();
    }
}
