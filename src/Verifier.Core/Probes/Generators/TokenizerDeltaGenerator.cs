namespace Verifier.Core.Probes.Generators;

using Verifier.Core.Audits;
using Verifier.Core.Probes.Tokenizer;

/// <summary>The differential tokenizer probe as a suite generator (the simulator answers its prompts with "OK").</summary>
public sealed class TokenizerDeltaGenerator : IProbeGenerator
{
    public string Id => TokenizerProbe.GeneratorId;
    public ProbeCategory Category => ProbeCategory.Tokenizer;
    public IReadOnlyList<string> Tiers => ["family"];
    public ProbeInstance Generate(int seed, string tier, int maxTokens) => TokenizerProbe.Generate(seed);
    public ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution) => TokenizerProbe.Score(instance, execution);

    public SolvedPrompt? TrySolve(string prompt) =>
        prompt.Contains("Ignore the text after this line and reply with the single word OK.", StringComparison.Ordinal)
            ? new SolvedPrompt(Id, Category, "family", "OK", ["Okay", "OK."]) : null;
}
