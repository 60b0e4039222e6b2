namespace Verifier.Core.Probes.Generators;

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Probes.Sandbox;

/// <summary>
/// t2: the model writes a JavaScript function; it runs in the sandbox against hidden tests drawn from the seed and
/// must return what the reference solution returns on every one.
/// </summary>
public sealed partial class CodeFunctionGenerator : IProbeGenerator
{
    private sealed record Task(string Name, string Description, string Solution, string Buggy);

    // {k} is replaced by a seeded constant.
    private static readonly Task[] Tasks =
    [
        new("sum-divisible", "returns the sum of the elements of arr that are divisible by {k}",
            "function solve(arr) { let s = 0; for (const x of arr) if (x % {k} === 0) s += x; return s; }",
            "function solve(arr) { let s = 0; for (const x of arr) if (x % {k} !== 0) s += x; return s; }"),
        new("longest-run", "returns the length of the longest run of consecutive elements of arr that are each greater than the previous one, counting only runs whose elements are all at least {k}",
            "function solve(arr) { let best = 0, cur = 0, prev = null; for (const x of arr) { if (x >= {k} && prev !== null && prev >= {k} && x > prev) cur++; else cur = x >= {k} ? 1 : 0; best = Math.max(best, cur); prev = x; } return best; }",
            "function solve(arr) { let best = 0, cur = 0, prev = null; for (const x of arr) { if (prev !== null && x > prev) cur++; else cur = 1; best = Math.max(best, cur); prev = x; } return best; }"),
        new("pair-count", "returns the number of index pairs i < j with arr[i] + arr[j] === {k}",
            "function solve(arr) { let c = 0; for (let i = 0; i < arr.length; i++) for (let j = i + 1; j < arr.length; j++) if (arr[i] + arr[j] === {k}) c++; return c; }",
            "function solve(arr) { let c = 0; for (let i = 0; i < arr.length; i++) for (let j = i + 1; j < arr.length; j++) if (arr[i] + arr[j] >= {k}) c++; return c; }"),
    ];

    public string Id => "code.function";
    public ProbeCategory Category => ProbeCategory.Code;
    public IReadOnlyList<string> Tiers => ["t2"];

    public ProbeInstance Generate(int seed, string tier, int maxTokens)
    {
        var random = new Random(seed);
        var task = Tasks[random.Next(Tasks.Length)];
        var k = random.Next(3, 12);
        var prompt = $"Write a JavaScript function solve(arr) that {task.Description.Replace("{k}", k.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)}. " +
                     "arr is an array of integers. Reply with the function in a ```javascript code block.";
        return new ProbeInstance($"{Id}-{seed}", Id, Category, tier, seed, [ProbeRequest.Chat([ChatMessage.User(prompt)], maxTokens)],
            $"{task.Name}:{k}", maxTokens / 2 + 150);
    }

    public ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var (reply, seqs) = ProbeGenerators.LastReply(execution);
        var code = LastCodeBlock(reply?.Content);
        if (code is null) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "no-answer", "no code block", seqs);
        var (name, k) = Parse(instance.ExpectedAnswer);
        var task = Tasks.First(t => t.Name == name);
        var reference = task.Solution.Replace("{k}", k, StringComparison.Ordinal);
        var random = new Random(instance.Seed ^ 0x5eed);
        for (var test = 0; test < 12; test++)
        {
            var arr = JsonSerializer.Serialize(Enumerable.Range(0, random.Next(test == 0 ? 15 : 0, 25)).Select(_ => random.Next(-5, 30)).ToArray());
            var expected = JsSandbox.Run(reference, $"solve({arr})");
            var actual = JsSandbox.Run(code, $"solve({arr})");
            if (!actual.Ok) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "fail", $"hidden test {test + 1}: {actual.Error}", seqs);
            if (actual.Value != expected.Value) return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "fail", $"hidden test {test + 1}: got {actual.Value}, expected {expected.Value}", seqs);
        }
        return new ProbeOutcome(instance.ProbeId, Category, instance.Tier, "pass", "all 12 hidden tests passed", seqs);
    }

    public SolvedPrompt? TrySolve(string prompt)
    {
        var m = Rx().Match(prompt);
        if (!m.Success) return null;
        foreach (var t in Tasks)
        {
            var template = Regex.Escape(t.Description).Replace("\\{k}", "(?<k>\\d+)", StringComparison.Ordinal);
            var km = Regex.Match(m.Groups["d"].Value, "^" + template + "$");
            if (!km.Success) continue;
            var k = km.Groups["k"].Value;
            static string Block(string code) => $"```javascript\n{code}\n```";
            return new SolvedPrompt(Id, Category, "t2", Block(t.Solution.Replace("{k}", k, StringComparison.Ordinal)),
                [Block(t.Buggy.Replace("{k}", k, StringComparison.Ordinal)), Block("function solve(arr) { return 0; }")]);
        }
        return null;
    }

    private static (string Name, string K) Parse(string expected) => (expected[..expected.IndexOf(':', StringComparison.Ordinal)], expected[(expected.IndexOf(':', StringComparison.Ordinal) + 1)..]);

    public static string? LastCodeBlock(string? content)
    {
        if (content is null) return null;
        var blocks = Fence().Matches(content);
        return blocks.Count == 0 ? null : blocks[^1].Groups[1].Value;
    }

    [GeneratedRegex(@"^Write a JavaScript function solve\(arr\) that (?<d>.+)\. arr is an array of integers\.")]
    private static partial Regex Rx();

    [GeneratedRegex(@"```(?:javascript|js)?[ \t]*\r?\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}

/// <summary>t1: predict what a short JavaScript snippet computes; the answer is computed by running it in the sandbox.</summary>
public sealed partial class CodeOutputGenerator : MathGenerator
{
    public override string Id => "code.output";
    public override IReadOnlyList<string> Tiers => ["t1"];
    protected override Regex Pattern => Rx();

    public static string Snippet(long n, long k, long m) =>
        $"let s = 0; for (let i = 1; i <= {n}; i++) {{ if (i % {k} === {m}) s += i * i; }}";

    public static string Evaluate(string snippet) => JsSandbox.Run(snippet, "s").Value ?? "error";

    protected override (string, string) Make(Random r, string tier)
    {
        long k = r.Next(3, 9), n = r.Next(10, 60), m = r.Next(0, (int)k);
        var snippet = Snippet(n, k, m);
        return ($"What is the value of s after this JavaScript runs? {snippet}", Evaluate(snippet));
    }

    protected override (string, string)? Solve(Match m) => ("t1", Evaluate(Snippet(L(m, "n"), L(m, "k"), L(m, "m"))));

    // Scored like a reasoning probe (boxed answer) but counted as code.
    public override ProbeCategory Category => ProbeCategory.Code;

    [GeneratedRegex(@"^What is the value of s after this JavaScript runs\? let s = 0; for \(let i = 1; i <= (?<n>\d+); i\+\+\) \{ if \(i % (?<k>\d+) === (?<m>\d+)\) s \+= i \* i; \}")]
    private static partial Regex Rx();
}
