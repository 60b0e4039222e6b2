namespace Verifier.Core.Probes.Generators;

using Verifier.Core.Audits;

/// <summary>What a prompt asks, recomputed from its text alone: a simulated vendor uses it to play a model that reads the prompt.</summary>
public sealed record SolvedPrompt(string GeneratorId, ProbeCategory Category, string Tier, string Answer, IReadOnlyList<string> WrongAnswers);

/// <summary>
/// A parametric probe: a seed makes a fresh instance whose answer is computed, so answers cannot be cached or
/// looked up. A real seam: one implementation per kind of probe.
/// </summary>
public interface IProbeGenerator
{
    string Id { get; }
    ProbeCategory Category { get; }
    IReadOnlyList<string> Tiers { get; }
    ProbeInstance Generate(int seed, string tier, int maxTokens);
    ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution);
    SolvedPrompt? TrySolve(string prompt);

    /// <summary>A fixed set of prompts (the fingerprint): the suite's candidates are seeds 0..count-1, so references and audits share them.</summary>
    bool IsFixedSet => false;
}

public static class ProbeGenerators
{
    public static readonly IReadOnlyList<IProbeGenerator> All =
    [
        new TokenizerDeltaGenerator(), new ArithmeticGenerator(), new ModPowGenerator(), new InclusionExclusionGenerator(), new EulerPolynomialGenerator(), new RecurrenceGenerator(),
        new CodeFunctionGenerator(), new CodeOutputGenerator(), new PasskeyGenerator(), new ReasoningStyleGenerator(), new ModelsMetadataGenerator(), new FingerprintGenerator(),
    ];

    public static IProbeGenerator? Find(string id) => All.FirstOrDefault(g => g.Id == id);

    public static SolvedPrompt? TrySolve(string prompt)
    {
        foreach (var g in All)
            if (g.TrySolve(prompt) is { } solved) return solved;
        return null;
    }

    /// <summary>The last answered reply of an execution and the sequences of all its exchanges.</summary>
    internal static (Verifier.Core.Chat.ChatReply? Reply, List<int> Sequences) LastReply(ProbeExecution execution) =>
        (execution.Responses.LastOrDefault(r => r.Delivered)?.Reply, execution.Exchanges.Select(e => e.Sequence).ToList());
}
