namespace Verifier.Simulator;

using System.Collections.Concurrent;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;

/// <summary>
/// SIMULATION. Next-token logits of the simulated weights for the fingerprint prompts, so that simulated vendors return
/// top-k logprobs and greedy text with the statistics the literature measured — not the engine's own noise model:
/// <list type="bullet">
/// <item>Every weight set has its own logits at every (prompt, prefix), over a 64-token vocabulary (logits N(0, 2.5²);
/// assumption). Weights of one lineage (same tokenizer family, same base or teacher) share part of their logits so their
/// top tokens agree at 80% of positions (assumption: no measured figure exists for R1 sizes; chosen pessimistic — more
/// alike than two 4-bit builds of one model are to each other).</item>
/// <item>A quantized build adds a fixed perturbation to its variant's logits, scaled so its top token matches the native
/// weights' at the measured rate (<see cref="QuantizationNoise.SameTopToken"/>: Q8_0 97.7%, Q4_K_M 91.9%, Q2_K 71.1%;
/// llama.cpp PR #6936).</item>
/// <item>Every request adds fresh serving noise (batch composition), scaled so the top token is unchanged at 99% of
/// positions by default (Qwen3-235B at temperature 0 first diverged at token ~103: Thinking Machines 2025), or at a
/// scenario's rate.</item>
/// </list>
/// The noise scales are found by bisection over a fixed-seed Monte Carlo of the logit distribution.
/// </summary>
public static class LatentLogits
{
    public const int Vocabulary = 64;
    private const double Scale = 2.5;
    private const double LineageSameTopToken = 0.80;
    public const double DefaultServingSameTopToken = 0.99;

    private static readonly string[] Words =
    [
        " apple", " river", " blue", " stone", " seven", " Paris", " violin", " tiger", " maple", " joy", " quiet", " Newton",
        " Python", " tennis", " carrot", " once", " Mars", " hammer", " oak", " calm", " the", " a", " red", " green", " dog",
        " cat", " sun", " moon", " light", " dark", " happy", " bread", " salt", " waltz", " circle", " train", " French",
        " ant", " Nile", " rose", " tulip", " forty", " Alice", " Bob", " chess", " iron", " gold", " cake", " winter",
        " cloud", " storm", " silk", " spoon", " doctor", " whale", " ruby", " pepper", " jazz", " square", " boat",
        " Spanish", " bee", " Okay", " Hmm",
    ];

    private static readonly ConcurrentDictionary<double, double> Calibrated = new();

    /// <summary>One greedy generation of <paramref name="tokens"/> tokens with the top-k list at every position; <paramref name="context"/> names what the model sees (prompt, hidden system prompt).</summary>
    public static IReadOnlyList<TokenLogprob> Generate(string build, string context, int tokens, int topK, double servingSameTopToken, Random random)
    {
        var (lineage, weights, precision, native) = Identify(build);
        var quant = QuantizationNoise.Of(precision, native);
        var quantSigma = quant.SameTopToken >= 1 ? 0 : SigmaFor(quant.SameTopToken);
        var servingSigma = servingSameTopToken >= 1 ? 0 : SigmaFor(servingSameTopToken);
        var rho = RhoForLineage();
        var prefix = new List<int>();
        var output = new List<TokenLogprob>();
        for (var t = 0; t < tokens; t++)
        {
            var key = $"{context}|{string.Join(',', prefix)}";
            var shared = Normals($"lineage|{lineage}|{key}");
            var own = Normals($"weights|{weights}|{key}");
            var q = Normals($"quant|{weights}@{precision}|{key}");
            var logits = new double[Vocabulary];
            for (var i = 0; i < Vocabulary; i++)
                logits[i] = Scale * (Math.Sqrt(rho) * shared[i] + Math.Sqrt(1 - rho) * own[i]) + quantSigma * q[i] + servingSigma * Gaussian(random);
            var logZ = LogSumExp(logits);
            var order = Enumerable.Range(0, Vocabulary).OrderByDescending(i => logits[i]).ToArray();
            var top = order.Take(topK).Select(i => new TopLogprob(Words[i], logits[i] - logZ)).ToList();
            output.Add(new TokenLogprob(Words[order[0]], logits[order[0]] - logZ, top));
            prefix.Add(order[0]);
        }
        return output;
    }

    private static (string Lineage, string Weights, string Precision, string Native) Identify(string build)
    {
        if (OutsideModels.IsOutside(build)) return (OutsideModels.Get(build).Family, build, "bf16", "bf16");
        if (!VariantCatalog.Default.TryParseBuild(build, out var v, out var p)) throw new ArgumentException($"'{build}' is not a catalogued build.", nameof(build));
        return (v.Tokenizer, v.Id, p?.Id ?? v.NativePrecision, v.NativePrecision);
    }

    /// <summary>σ of per-logit Gaussian noise that keeps the top token at the given share of positions.</summary>
    public static double SigmaFor(double sameTopToken) => Calibrated.GetOrAdd(sameTopToken, target => Bisect(s => SameTop(s, 1.0), target));

    private static double RhoForLineage() => Calibrated.GetOrAdd(-LineageSameTopToken, _ => 1 - Bisect(x => SameTop(0, 1 - x), LineageSameTopToken, 0, 1));

    /// <summary>Share of positions whose argmax is unchanged (noise σ added, or two lineage members with correlation rho).</summary>
    private static double SameTop(double sigma, double rho)
    {
        var random = new Random(12345);
        var same = 0;
        const int trials = 4000;
        for (var n = 0; n < trials; n++)
        {
            int a = 0, b = 0;
            double ba = double.MinValue, bb = double.MinValue;
            for (var i = 0; i < Vocabulary; i++)
            {
                var shared = Gaussian(random);
                var x = Scale * (Math.Sqrt(rho) * shared + Math.Sqrt(1 - rho) * Gaussian(random));
                var y = rho >= 1 ? x + sigma * Gaussian(random) : Scale * (Math.Sqrt(rho) * shared + Math.Sqrt(1 - rho) * Gaussian(random));
                if (x > ba) { ba = x; a = i; }
                if (y > bb) { bb = y; b = i; }
            }
            if (a == b) same++;
        }
        return same / (double)trials;
    }

    /// <summary>Finds x in [lo, hi] where f (decreasing in x) equals the target.</summary>
    private static double Bisect(Func<double, double> f, double target, double lo = 0, double hi = 20)
    {
        for (var i = 0; i < 30; i++)
        {
            var mid = (lo + hi) / 2;
            if (f(mid) > target) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    private static double[] Normals(string key)
    {
        var random = new Random(StableHash(key));
        return Enumerable.Range(0, Vocabulary).Select(_ => Gaussian(random)).ToArray();
    }

    private static int StableHash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s) h = (h ^ c) * 16777619u;
        return (int)(h & int.MaxValue);
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static double LogSumExp(double[] x)
    {
        var m = x.Max();
        return m + Math.Log(x.Sum(v => Math.Exp(v - m)));
    }
}
