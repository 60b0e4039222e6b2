namespace Verifier.Core.Tests.Probes;

using System.Numerics;
using System.Text;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Generators;
using Verifier.Core.Probes.Sandbox;
using Verifier.Core.Probes.Suite;

public class GeneratorTests
{
    private static ProbeExecution Reply(string content, string? reasoning = null) =>
        new([new ProbeResponse(0, true, 200, new ChatReply(content, reasoning, reasoning is null ? ReasoningStyle.None : ReasoningStyle.ReasoningField, "stop", "m", null, null, 1), content, 1)], []);

    [Fact]
    public void Counting_matches_brute_force()
    {
        var random = new Random(3);
        for (var i = 0; i < 300; i++)
        {
            long n = random.Next(1, 3000), p = random.Next(2, 13), q = random.Next(2, 17), r = random.Next(2, 11);
            var brute = Enumerable.Range(1, (int)n).Count(x => (x % p == 0 || x % q == 0) && x % r != 0);
            Assert.Equal(brute, InclusionExclusionGenerator.Count(n, p, q, r));
        }
    }

    [Fact]
    public void Euler_polynomial_first_composite_is_40_for_41_and_checked_by_factoring()
    {
        Assert.Equal(40, EulerPolynomialGenerator.FirstComposite(41));
        foreach (var c in new[] { 2, 3, 5, 11, 17, 23, 29, 101 })
        {
            var n = EulerPolynomialGenerator.FirstComposite(c);
            var value = n * n + n + c;
            Assert.Contains(Enumerable.Range(2, (int)Math.Sqrt(value) - 1), d => value % d == 0);
            for (var m = 0; m < n; m++) Assert.True(IsPrimeSlow(m * m + m + c));
        }
    }

    private static bool IsPrimeSlow(long x) => x >= 2 && Enumerable.Range(2, (int)Math.Max(0, Math.Sqrt(x) - 1)).All(d => x % d != 0);

    [Fact]
    public void Recurrence_and_modpow_match_big_integer_arithmetic()
    {
        var random = new Random(5);
        for (var i = 0; i < 200; i++)
        {
            long x = random.Next(2, 50), c = random.Next(1, 30), m = random.Next(101, 997), k = random.Next(1, 80);
            BigInteger a = x;
            for (var j = 0; j < k; j++) a = (a * a + c) % m;
            Assert.Equal((long)a, RecurrenceGenerator.Run(x, c, m, k));
        }
    }

    [Fact]
    public void Code_output_answer_is_what_the_snippet_computes()
    {
        var snippet = CodeOutputGenerator.Snippet(20, 3, 1);
        var expected = Enumerable.Range(1, 20).Where(i => i % 3 == 1).Sum(i => i * i);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), CodeOutputGenerator.Evaluate(snippet));
    }

    public static TheoryData<string> Generated()
    {
        var data = new TheoryData<string>();
        foreach (var g in ProbeGenerators.All.Where(g => !g.IsFixedSet)) data.Add(g.Id); // fixed prompts (the fingerprint) have no computed answer
        return data;
    }

    [Theory]
    [MemberData(nameof(Generated))]
    public void Every_prompt_is_solved_from_its_text_alone_and_the_solution_passes(string id)
    {
        var generator = ProbeGenerators.Find(id)!;
        foreach (var tier in generator.Tiers)
            for (var seed = 0; seed < 40; seed++)
            {
                var instance = generator.Generate(seed, tier, 1024);
                if (instance.Requests[0].Kind != ProbeRequestKind.Chat) continue;
                var prompt = instance.Requests[^1].Messages[^1].Content;
                var solved = ProbeGenerators.TrySolve(prompt);
                Assert.NotNull(solved);
                Assert.Equal(id, solved!.GeneratorId);
                Assert.Equal(tier, solved.Tier);
                if (generator.Category is ProbeCategory.Tokenizer) continue;
                var answer = id == "code.function" ? solved.Answer : $"so the answer is \\boxed{{{solved.Answer}}}";
                var wrong = id == "code.function" ? solved.WrongAnswers[0] : $"\\boxed{{{solved.WrongAnswers[0]}}}";
                var good = generator.Score(instance, Reply(answer));
                var bad = generator.Score(instance, Reply(wrong));
                if (generator.Category == ProbeCategory.Behaviour) continue;
                Assert.True(good.OutcomeKey == "pass", $"{id} seed {seed}: {good.Observed}");
                Assert.True(bad.OutcomeKey == "fail", $"{id} seed {seed}: wrong answer scored {bad.OutcomeKey}: {bad.Observed}");
            }
    }

    [Theory]
    [InlineData("The answer is \\boxed{42}.", "42")]
    [InlineData("\\boxed{1} then \\boxed{ 2,000 }", "2000")]
    [InlineData("\\boxed{\\frac{3}{4}}", "3/4")]
    [InlineData("\\boxed{\\text{False}}", "false")]
    [InlineData("\\boxed{x^{2}+1}", "x^{2}+1")]
    [InlineData("\\boxed{$40$}", "40")]
    [InlineData("no box here", null)]
    [InlineData("\\boxed{unbalanced", null)]
    public void Boxed_answers_are_extracted_and_normalised(string text, string? expected) =>
        Assert.Equal(expected, BoxedAnswer.Extract(text));

    [Theory]
    [InlineData("while (true) {}", "time")]
    [InlineData("function f(n) { return f(n + 1) + 1; } f(0);", "recursion")]
    [InlineData("var a = []; while (true) a.push(new Array(100000).fill(1));", "memory")]
    public void Sandbox_stops_runaway_code_with_its_own_reason(string program, string limit)
    {
        var result = JsSandbox.Run(program, "0");
        Assert.False(result.Ok);
        Assert.True(result.Limit == limit || (limit == "time" && result.Limit == "statements"), $"{result.Limit}: {result.Error}");
    }

    [Fact]
    public void Sandbox_has_no_host_access()
    {
        Assert.False(JsSandbox.Run("var x = System.IO.File.ReadAllText('/etc/passwd');", "x").Ok);
        Assert.False(JsSandbox.Run("var x = require('fs');", "x").Ok);
        Assert.Equal("[1,2]", JsSandbox.Run("var x = [1,2];", "x").Value);
    }

    [Fact]
    public void Suite_loads_with_a_stable_hash_that_changes_with_the_file()
    {
        var path = Verifier.Core.Catalog.ProbeFiles.Require("suite/suite.json");
        var bytes = File.ReadAllBytes(path);
        var a = ProbeSuite.Parse(bytes);
        Assert.Equal(a.ContentHash, ProbeSuite.Parse(bytes).ContentHash);
        var changed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"count\": 20", "\"count\": 21", StringComparison.Ordinal));
        Assert.NotEqual(a.ContentHash, ProbeSuite.Parse(changed).ContentHash);
        Assert.Equal(a.Candidates(9).Select(c => c.ProbeId), a.Candidates(9).Select(c => c.ProbeId));
        Assert.NotEqual(a.Candidates(9).Select(c => c.ExpectedAnswer), a.Candidates(10).Select(c => c.ExpectedAnswer));
    }

    [Theory]
    [InlineData("\"generator\": \"reasoning.arithmetic\"", "\"generator\": \"reasoning.magic\"", "probes[5].generator")]
    [InlineData("\"generator\": \"reasoning.arithmetic\", \"tier\": \"t1\"", "\"generator\": \"reasoning.arithmetic\", \"tier\": \"t9\"", "probes[5].tier")]
    [InlineData("\"count\": 24", "\"count\": 0", "probes[0].count")]
    [InlineData("\"version\": \"2026.12-1\"", "\"version\": \"\"", "version")]
    [InlineData("\"maxTokens\": 16 }", "\"maxTokens\": 16, \"extra\": 1 }", "extra")]
    public void Bad_suite_files_name_the_field(string from, string to, string field)
    {
        var text = File.ReadAllText(Verifier.Core.Catalog.ProbeFiles.Require("suite/suite.json")).Replace(from, to, StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => ProbeSuite.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }
}
