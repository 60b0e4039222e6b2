namespace Verifier.Targets.Http;

using System.Text;
using System.Text.Json;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;

/// <summary>
/// Parses chat completions of every dialect into <see cref="ChatReply"/>: reasoning from a separate field
/// (reasoning_content, or reasoning in newer vLLM/SGLang), else from "&lt;think&gt;…&lt;/think&gt;" in the content, or from a
/// closing tag alone (the template forced "&lt;think&gt;\n" into the prompt). Works on the raw bytes, so rescoring a stored
/// exchange gives the same reply.
/// </summary>
public static class ReplyParser
{
    /// <summary>Parses a non-streaming body; null when it is not a chat completion (malformed).</summary>
    public static ChatReply? ParseCompletion(ReadOnlySpan<byte> body, int exchangeSequence)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
                return null;
            var choice = choices[0];
            if (!choice.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object) return null;
            return Build(Str(message, "content") ?? "", Str(message, "reasoning_content") ?? Str(message, "reasoning"),
                Str(choice, "finish_reason"), Str(root, "model"), Str(root, "system_fingerprint"), Usage(root), exchangeSequence) with { Logprobs = Logprobs(choice) };
        }
        catch (JsonException) { return null; }
    }

    /// <summary>Result of reading an SSE body: the reply (null if unusable) and whether it ended properly with [DONE].</summary>
    public sealed record StreamParse(ChatReply? Reply, bool Complete, bool Malformed, int Deltas);

    /// <summary>Accumulates SSE chunks ("data: {json}" lines, "data: [DONE]" at the end).</summary>
    public sealed class StreamAccumulator
    {
        private readonly StringBuilder content = new();
        private readonly StringBuilder reasoning = new();
        private bool sawReasoningField;
        private string? finish, model, fingerprint;
        private TokenUsage? usage;
        private readonly StringBuilder pending = new();

        public bool Done { get; private set; }
        public bool Malformed { get; private set; }
        public int Deltas { get; private set; }

        /// <summary>"data:" lines seen (SSE events), including [DONE].</summary>
        public int Events { get; private set; }

        /// <summary>Characters of content and reasoning so far.</summary>
        public int Characters => content.Length + reasoning.Length;

        /// <summary>Feeds decoded text; returns true when this text carried the first content or reasoning token.</summary>
        public bool Feed(string text)
        {
            var before = Deltas;
            var start = 0;
            int nl;
            while ((nl = text.IndexOf('\n', start)) >= 0) // only the new text is scanned: linear in the stream's size
            {
                pending.Append(text, start, nl - start);
                Line(pending.ToString().TrimEnd('\r'));
                pending.Clear();
                start = nl + 1;
            }
            pending.Append(text, start, text.Length - start);
            return before == 0 && Deltas > 0;
        }

        /// <summary>The stream ended: a trailing partial line means it was cut mid-chunk.</summary>
        public StreamParse Finish(int exchangeSequence)
        {
            var cut = pending.ToString().Trim().Length > 0;
            if (cut && !Done) Line(pending.ToString().Trim()); // try it: a complete last line without newline is fine
            var reply = Malformed && Deltas == 0 ? null
                : Build(content.ToString(), sawReasoningField ? reasoning.ToString() : null, finish, model, fingerprint, usage, exchangeSequence);
            return new StreamParse(reply, Done, Malformed, Deltas);
        }

        private void Line(string line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal)) return; // comments, event:, id:, blank lines
            Events++;
            var data = line[5..].Trim();
            if (data == "[DONE]") { Done = true; return; }
            if (data.Length == 0) return;
            try
            {
                using var doc = JsonDocument.Parse(data);
                var root = doc.RootElement;
                model ??= Str(root, "model");
                fingerprint ??= Str(root, "system_fingerprint");
                if (Usage(root) is { } u) usage = u;
                if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
                {
                    var choice = choices[0];
                    finish = Str(choice, "finish_reason") ?? finish;
                    if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                    {
                        var r = Str(delta, "reasoning_content") ?? Str(delta, "reasoning");
                        var c = Str(delta, "content");
                        if (!string.IsNullOrEmpty(r)) { reasoning.Append(r); sawReasoningField = true; Deltas++; }
                        if (!string.IsNullOrEmpty(c)) { content.Append(c); Deltas++; }
                    }
                }
            }
            catch (JsonException) { Malformed = true; }
        }
    }

    public static ChatReply Build(string content, string? reasoningField, string? finish, string? model, string? fingerprint, TokenUsage? usage, int sequence)
    {
        if (!string.IsNullOrEmpty(reasoningField))
            return new ChatReply(content, reasoningField, ReasoningStyle.ReasoningField, finish, model, fingerprint, usage, sequence);
        var (answer, reasoning, style) = ChatReply.SplitThink(content);
        return new ChatReply(answer, reasoning, style, finish, model, fingerprint, usage, sequence);
    }

    /// <summary>choices[i].logprobs.content (OpenAI shape: token, logprob, top_logprobs[]); null when absent or malformed.</summary>
    public static IReadOnlyList<TokenLogprob>? Logprobs(JsonElement choice)
    {
        if (!choice.TryGetProperty("logprobs", out var lp) || lp.ValueKind != JsonValueKind.Object
            || !lp.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array) return null;
        var list = new List<TokenLogprob>();
        foreach (var t in content.EnumerateArray())
        {
            if (Str(t, "token") is not { } token || Num(t, "logprob") is not { } logprob) return null;
            var top = new List<TopLogprob>();
            if (t.TryGetProperty("top_logprobs", out var tops) && tops.ValueKind == JsonValueKind.Array)
                foreach (var x in tops.EnumerateArray())
                    if (Str(x, "token") is { } tt && Num(x, "logprob") is { } tl) top.Add(new TopLogprob(tt, tl));
            list.Add(new TokenLogprob(token, logprob, top));
        }
        return list.Count == 0 ? null : list;
    }

    private static double? Num(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    public static TokenUsage? Usage(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var u) || u.ValueKind != JsonValueKind.Object) return null;
        var invalid = new List<string>();
        int? reasoning = u.TryGetProperty("completion_tokens_details", out var d) && d.ValueKind == JsonValueKind.Object ? Count(d, "reasoning_tokens", invalid) : null;
        return new TokenUsage(Count(u, "prompt_tokens", invalid), Count(u, "completion_tokens", invalid), reasoning)
        {
            Invalid = invalid.Count == 0 ? null : string.Join(", ", invalid),
        };
    }

    /// <summary>A token count: a non-negative integer up to <see cref="TokenUsage.MaxCount"/>; anything else is noted as invalid and read as absent.</summary>
    private static int? Count(JsonElement e, string name, List<string> invalid)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0 && n <= TokenUsage.MaxCount) return (int)n;
        var raw = v.GetRawText();
        invalid.Add(name + "=" + (raw.Length > 40 ? raw[..40] + "…" : raw));
        return null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
