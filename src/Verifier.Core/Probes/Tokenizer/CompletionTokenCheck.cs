namespace Verifier.Core.Probes.Tokenizer;

using Verifier.Core.Chat;
using Verifier.Core.Tokenization;

/// <summary>
/// completion_tokens against the returned text (reasoning + answer) re-tokenized per family. Servers add a few
/// tokens of their own (the closing think tag, end of sequence), so a count within <see cref="Tolerance"/> of a
/// family's count is a match; the evidence is weak by design and only given when the families' counts are apart.
/// </summary>
public static class CompletionTokenCheck
{
    public const int Tolerance = 4;

    public static IReadOnlyDictionary<string, double>? LogLikelihoods(ChatReply reply)
    {
        if (reply.Usage?.CompletionTokens is not { } reported || reply.FinishReason == "length") return null;
        var text = (reply.Reasoning ?? "") + reply.Content;
        var counts = TokenizerFamilies.All.ToDictionary(TokenizerFamilies.Key, f => Tokenizers.Get(f).CountTokens(text));
        var sorted = counts.Values.Order().ToArray();
        if (sorted[1] - sorted[0] <= 2 * Tolerance && sorted[2] - sorted[1] <= 2 * Tolerance) return null; // not discriminating
        var ll = counts.ToDictionary(kv => kv.Key, kv => Math.Abs(reported - kv.Value) <= Tolerance ? Math.Log(0.9) : Math.Log(0.1));
        ll["unknown"] = Math.Log(0.3);
        return ll;
    }
}
