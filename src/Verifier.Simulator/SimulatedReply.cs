namespace Verifier.Simulator;

using System.Text;
using Verifier.Core.Chat;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Generators;

/// <summary>What the simulated model answers to one chat request, before the dialect shapes it.</summary>
public sealed record SimulatedReply(string Reasoning, string Answer, string FinishReason, int PromptTokens, int CompletionTokens, bool ContextExceeded);

/// <summary>
/// The "model" of a simulated vendor, as plain functions: it reads the prompt (the probe generators recompute what
/// a prompt asks), answers correctly with the served model's probability for that kind of question, otherwise gives
/// a plausible wrong answer; it reasons at its typical length, sometimes with an empty think block, and stops at
/// max_tokens like a real server.
/// </summary>
public static class SimulatedModel
{
    private static readonly string[] Words = ["so", "we", "need", "to", "compute", "the", "value", "first", "check", "then", "carefully", "step", "wait", "let", "me", "verify", "this", "again", "which", "gives"];

    public static SimulatedReply Answer(ServedModel model, IReadOnlyList<ChatMessage> messages, int maxTokens, double emptyThinkRate, double noise, Random random)
    {
        var prompt = model.EncodePrompt(messages).Length;
        if (prompt + Math.Max(1, maxTokens) > model.ContextWindow)
            return new SimulatedReply("", "", "error", prompt, 0, true);

        var question = messages.LastOrDefault(m => m.Role == "user")?.Content ?? "";
        var solved = ProbeGenerators.TrySolve(question);
        string answer;
        var tier = solved?.Tier ?? "t2";
        if (solved is null) answer = "Here is my answer: I am not sure what is being asked, but I will try to help.";
        else
        {
            var p = Math.Clamp(model.PassRate(solved.Category, solved.Tier) + (noise > 0 ? Gaussian(random) * noise : 0), 0, 1);
            var correct = random.NextDouble() < p;
            var text = correct ? solved.Answer : solved.WrongAnswers[random.Next(solved.WrongAnswers.Count)];
            answer = solved.Category == ProbeCategory.Tokenizer || text.StartsWith("```", StringComparison.Ordinal) ? text : $"The final answer is \\boxed{{{text}}}.";
        }

        var reasoning = "";
        if (model.Reasons && solved?.Category != ProbeCategory.Tokenizer && random.NextDouble() >= emptyThinkRate)
        {
            var tierScale = tier switch { "t1" => 0.05, "t2" => 0.1, "t3" => 0.2, "t4" => 0.35, _ => 0.04 };
            var length = (int)(model.ReasoningScale * tierScale * (0.5 + random.NextDouble()));
            reasoning = Filler(random, Math.Max(8, length));
        }
        else if (model.Reasons && solved?.Category == ProbeCategory.Tokenizer) reasoning = "The user wants OK.";

        var completion = model.CountText(reasoning) + model.CountText(answer) + (model.Reasons ? 3 : 1);
        if (maxTokens > 0 && completion > maxTokens)
        {
            // Cut at max_tokens, as a server does: the answer is lost when the reasoning is long.
            var reasoningTokens = model.CountText(reasoning);
            if (reasoningTokens >= maxTokens) { reasoning = Truncate(model, reasoning, maxTokens); answer = ""; }
            else answer = Truncate(model, answer, maxTokens - reasoningTokens);
            return new SimulatedReply(reasoning, answer, "length", prompt, maxTokens, false);
        }
        return new SimulatedReply(reasoning, answer, "stop", prompt, completion, false);
    }

    private static string Truncate(ServedModel model, string text, int tokens)
    {
        var words = text.Split(' ');
        var n = Math.Max(0, Math.Min(words.Length, tokens * 3 / 4));
        var cut = string.Join(' ', words.Take(n));
        while (cut.Length > 0 && model.CountText(cut) > tokens) cut = cut[..(cut.Length * 3 / 4)];
        return cut;
    }

    private static string Filler(Random random, int tokens)
    {
        var sb = new StringBuilder("Okay, let me think about this. ");
        for (var i = 0; i < tokens; i++) sb.Append(Words[random.Next(Words.Length)]).Append(i % 12 == 11 ? ". " : " ");
        return sb.ToString().TrimEnd();
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
