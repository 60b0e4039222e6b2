using System.Diagnostics;
using Verifier.Core.Chat;

namespace Verifier.Targets.Onnx.Generation;

/// <summary>One local completion: text, token counts as a server would report them, and why it ended.</summary>
public sealed record OnnxCompletion(string Text, IReadOnlyList<int> TokenIds, int PromptTokens, int CompletionTokens, string FinishReason, TimeSpan Elapsed);

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
    public OnnxCompletion Complete(IReadOnlyList<ChatMessage> messages, GenerationSettings settings, CancellationToken cancellationToken = default)
    {
        var sw = Stopwatch.StartNew();
        var prompt = encode(renderPrompt(messages));
        var ids = new List<int>();
        var stopped = false;
        foreach (var id in decoder.Generate(prompt, settings, cancellationToken))
        {
            if (settings.StopTokenIds?.Contains(id) == true) { stopped = true; break; }
            ids.Add(id);
        }
        return new OnnxCompletion(decode(ids), ids, prompt.Length, ids.Count + (stopped ? 1 : 0), stopped ? "stop" : "length", sw.Elapsed);
    }
}
