using System.Diagnostics;
using Verifier.Core.Chat;

namespace Verifier.Targets.Onnx.Generation;

/// <summary>One local completion: text, token counts as a server would report them, and why it ended.</summary>
public sealed record OnnxCompletion(string Text, IReadOnlyList<int> TokenIds, int PromptTokens, int CompletionTokens, string FinishReason, TimeSpan Elapsed)
{
    /// <summary>Per generated token its log probability and the top-k alternatives, when asked for (as an OpenAI server's logprobs).</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }
}

/// <summary>
/// Chat-level wrapper over <see cref="OnnxDecoder"/> for the local `onnx` target. Tokenizer and chat template are
/// supplied as delegates (BpeTokenizer.Encode/Decode and ChatTemplates.Render once wired), so this stays ids-based.
/// </summary>
public sealed class OnnxTextGenerator(
    OnnxDecoder decoder,
    Func<IReadOnlyList<ChatMessage>, string> renderPrompt,
    Func<string, int[]> encode,
    Func<IReadOnlyList<int>, string> decode)
{
    public OnnxCompletion Complete(IReadOnlyList<ChatMessage> messages, GenerationSettings settings, int topLogprobs = 0, CancellationToken cancellationToken = default)
    {
        var sw = Stopwatch.StartNew();
        var prompt = encode(renderPrompt(messages));
        var ids = new List<int>();
        var logprobs = new List<TokenLogprob>();
        var stopped = false;
        foreach (var (id, step) in decoder.GenerateWithLogprobs(prompt, settings, topLogprobs, cancellationToken))
        {
            if (settings.StopTokenIds?.Contains(id) == true) { stopped = true; break; }
            ids.Add(id);
            if (step is not null)
                logprobs.Add(new TokenLogprob(decode([id]), step.Chosen, step.Top.Select(t => new TopLogprob(decode([t.Id]), t.Logprob)).ToList()));
        }
        return new OnnxCompletion(decode(ids), ids, prompt.Length, ids.Count + (stopped ? 1 : 0), stopped ? "stop" : "length", sw.Elapsed)
        {
            Logprobs = topLogprobs > 0 ? logprobs : null,
        };
    }
}
