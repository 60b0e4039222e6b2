namespace Verifier.Core.Probes.Generators;

using System.Globalization;
using System.Text.RegularExpressions;
using Verifier.Core.Audits;
using Verifier.Core.Chat;

/// <summary>
/// Base of the reasoning generators: a prompt with the R1 math directive, graded by the last \boxed{} answer.
/// Subclasses draw parameters from the seed, compute the answer, and recognise their own prompts.
/// </summary>
public abstract class MathGenerator : IProbeGenerator
{
    public const string Directive = "Please reason step by step, and put your final answer within \\boxed{}.";
    protected static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public abstract string Id { get; }
    public virtual ProbeCategory Category => ProbeCategory.Reasoning;
    public abstract IReadOnlyList<string> Tiers { get; }
    protected abstract Regex Pattern { get; }

    /// <summary>The question (without the directive) and its answer for a seed.</summary>
    protected abstract (string Question, string Answer) Make(Random r, string tier);

    /// <summary>The answer recomputed from the regex groups of a question this generator wrote; null if not its own.</summary>
    protected abstract (string Tier, string Answer)? Solve(Match m);

    public virtual ProbeInstance Generate(int seed, string tier, int maxTokens)
    {
        // A stable salt per generator (string.GetHashCode differs per process, which would break rescoring).
        var salt = Id.Aggregate(17, (h, c) => unchecked(h * 31 + c));
        var (question, answer) = Make(new Random(unchecked(seed * 7919 + salt)), tier);
        return new ProbeInstance($"{Id}-{tier}-{seed}", Id, Category, tier, seed,
            [ProbeRequest.Chat([ChatMessage.User($"{question}\n{Directive}")], maxTokens)], answer, maxTokens / 2 + 120);
    }

    public ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var (reply, seqs) = ProbeGenerators.LastReply(execution);
        if (reply is null) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "no-answer", "no reply delivered", seqs);
        var boxed = BoxedAnswer.Extract(reply.Content) ?? BoxedAnswer.Extract(reply.Reasoning);
        if (boxed is null) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "no-answer", $"no \\boxed{{}} answer (finish: {reply.FinishReason})", seqs);
        var pass = boxed == BoxedAnswer.Normalize(instance.ExpectedAnswer);
        return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, pass ? "pass" : "fail", $"answered {boxed}, expected {instance.ExpectedAnswer}", seqs);
    }

    public SolvedPrompt? TrySolve(string prompt)
    {
        var m = Pattern.Match(prompt);
        if (!m.Success || Solve(m) is not { } s) return null;
        return new SolvedPrompt(Id, Category, s.Tier, s.Answer, WrongAnswers(s.Answer));
    }

    /// <summary>Plausible mistakes: off by one, a dropped or swapped digit, a sign slip.</summary>
    public static IReadOnlyList<string> WrongAnswers(string answer)
    {
        if (!long.TryParse(answer, NumberStyles.Integer, Inv, out var n)) return answer == "false" ? ["true"] : ["false", "none"];
        var wrong = new List<string> { (n + 1).ToString(Inv), (n - 1).ToString(Inv), (n * 10 + 3).ToString(Inv) };
        var digits = answer.TrimStart('-');
        if (digits.Length >= 2) wrong.Add((answer.StartsWith('-') ? "-" : "") + digits[1] + digits[0] + digits[2..]);
        return wrong.Where(w => w != answer).Distinct().ToList();
    }

    protected static long L(Match m, string group) => long.Parse(m.Groups[group].Value, Inv);
}

/// <summary>t1: multi-digit arithmetic.</summary>
public sealed partial class ArithmeticGenerator : MathGenerator
{
    public override string Id => "reasoning.arithmetic";
    public override IReadOnlyList<string> Tiers => ["t1"];
    protected override Regex Pattern => Rx();

    protected override (string, string) Make(Random r, string tier)
    {
        long a = r.Next(1000, 9999), b = r.Next(100, 999), c = r.Next(1000, 99999);
        return ($"Compute {a} × {b} − {c}.", (a * b - c).ToString(Inv));
    }

    protected override (string, string)? Solve(Match m) => ("t1", (L(m, "a") * L(m, "b") - L(m, "c")).ToString(Inv));

    [GeneratedRegex(@"^Compute (?<a>\d+) × (?<b>\d+) − (?<c>\d+)\.")]
    private static partial Regex Rx();
}

/// <summary>t2: modular exponentiation.</summary>
public sealed partial class ModPowGenerator : MathGenerator
{
    public override string Id => "reasoning.modpow";
    public override IReadOnlyList<string> Tiers => ["t2"];
    protected override Regex Pattern => Rx();

    protected override (string, string) Make(Random r, string tier)
    {
        long a = r.Next(3, 99), b = r.Next(20, 400), m = r.Next(7, 97);
        return ($"Find the remainder when {a}^{b} is divided by {m}.", System.Numerics.BigInteger.ModPow(a, b, m).ToString(Inv));
    }

    protected override (string, string)? Solve(Match m) => ("t2", System.Numerics.BigInteger.ModPow(L(m, "a"), L(m, "b"), L(m, "m")).ToString(Inv));

    [GeneratedRegex(@"^Find the remainder when (?<a>\d+)\^(?<b>\d+) is divided by (?<m>\d+)\.")]
    private static partial Regex Rx();
}

/// <summary>t3: counting with inclusion–exclusion (checked against brute force in the tests).</summary>
public sealed partial class InclusionExclusionGenerator : MathGenerator
{
    public override string Id => "reasoning.counting";
    public override IReadOnlyList<string> Tiers => ["t3"];
    protected override Regex Pattern => Rx();

    public static long Count(long n, long p, long q, long r)
    {
        static long Lcm(long a, long b) => a / (long)System.Numerics.BigInteger.GreatestCommonDivisor(a, b) * b;
        long pq = Lcm(p, q), pr = Lcm(p, r), qr = Lcm(q, r), pqr = Lcm(pq, r);
        var pOrQ = n / p + n / q - n / pq;
        var pOrQAndR = n / pr + n / qr - n / pqr;
        return pOrQ - pOrQAndR;
    }

    protected override (string, string) Make(Random r, string tier)
    {
        long n = r.Next(1000, 100_000), p = r.Next(2, 13), q = r.Next(2, 17), rr = r.Next(2, 11);
        while (q == p) q = r.Next(2, 17);
        return ($"How many integers n with 1 ≤ n ≤ {n} are divisible by {p} or by {q}, but not by {rr}?", Count(n, p, q, rr).ToString(Inv));
    }

    protected override (string, string)? Solve(Match m) => ("t3", Count(L(m, "n"), L(m, "p"), L(m, "q"), L(m, "r")).ToString(Inv));

    [GeneratedRegex(@"^How many integers n with 1 ≤ n ≤ (?<n>\d+) are divisible by (?<p>\d+) or by (?<q>\d+), but not by (?<r>\d+)\?")]
    private static partial Regex Rx();
}

/// <summary>
/// t3: the classic "n² + n + 41 is prime for every n" (false: n = 40 gives 41²) and its parametric cousins: the
/// smallest n ≥ 0 for which n² + n + c is composite.
/// </summary>
public sealed partial class EulerPolynomialGenerator : MathGenerator
{
    public override string Id => "reasoning.euler-polynomial";
    public override IReadOnlyList<string> Tiers => ["t3"];
    protected override Regex Pattern => Rx();
    private static readonly int[] Constants = [41, 41, 17, 11, 5, 3, 2, 23, 29, 31, 37, 43, 47, 53, 101];

    public static long FirstComposite(long c)
    {
        for (long n = 0; ; n++)
            if (!IsPrime(n * n + n + c)) return n;
    }

    private static bool IsPrime(long x)
    {
        if (x < 2) return false;
        for (long d = 2; d * d <= x; d++) if (x % d == 0) return false;
        return true;
    }

    protected override (string, string) Make(Random r, string tier)
    {
        var c = Constants[r.Next(Constants.Length)];
        return ($"Claim: n^2 + n + {c} is prime for every integer n ≥ 0. Give the smallest integer n ≥ 0 for which n^2 + n + {c} is not prime.", FirstComposite(c).ToString(Inv));
    }

    protected override (string, string)? Solve(Match m) => ("t3", FirstComposite(L(m, "c")).ToString(Inv));

    [GeneratedRegex(@"^Claim: n\^2 \+ n \+ (?<c>\d+) is prime for every integer")]
    private static partial Regex Rx();
}

/// <summary>t4: a quadratic recurrence modulo m, many steps: long careful computation.</summary>
public sealed partial class RecurrenceGenerator : MathGenerator
{
    public override string Id => "reasoning.recurrence";
    public override IReadOnlyList<string> Tiers => ["t4"];
    protected override Regex Pattern => Rx();

    public static long Run(long x, long c, long m, long k)
    {
        var a = x;
        for (var i = 0; i < k; i++) a = (a * a + c) % m;
        return a;
    }

    protected override (string, string) Make(Random r, string tier)
    {
        long x = r.Next(2, 50), c = r.Next(1, 30), m = r.Next(101, 997), k = r.Next(25, 60);
        return ($"Let a_0 = {x} and a_(i+1) = (a_i^2 + {c}) mod {m}. Find a_{k}.", Run(x, c, m, k).ToString(Inv));
    }

    protected override (string, string)? Solve(Match m) => ("t4", Run(L(m, "x"), L(m, "c"), L(m, "m"), L(m, "k")).ToString(Inv));

    [GeneratedRegex(@"^Let a_0 = (?<x>\d+) and a_\(i\+1\) = \(a_i\^2 \+ (?<c>\d+)\) mod (?<m>\d+)\. Find a_(?<k>\d+)\.")]
    private static partial Regex Rx();
}
