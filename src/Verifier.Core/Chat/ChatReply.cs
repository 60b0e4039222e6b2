namespace Verifier.Core.Chat;

using Verifier.Core.Exchanges;

/// <summary>Where a reply carried its reasoning.</summary>
public enum ReasoningStyle
{
    None,               // no reasoning at all
    ReasoningField,     // a separate reasoning_content / reasoning field (DeepSeek API, vLLM/SGLang with a reasoning parser)
    ThinkTags,          // "<think> ... </think>" inside content
    ClosingTagOnly,     // only "</think>" in content: the template forced the opening tag into the prompt
}

/// <summary>A chat completion as parsed from one exchange, whatever the serving dialect.</summary>
public sealed record ChatReply(
    string Content,
    string? Reasoning,
    ReasoningStyle ReasoningStyle,
    string? FinishReason,
    string? Model,
    string? SystemFingerprint,
    TokenUsage? Usage,
    int ExchangeSequence)
{
    /// <summary>Per generated token log probabilities, when the request asked for them and the server returned them.</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }

    /// <summary>
    /// Splits reasoning out of content: "&lt;think&gt;…&lt;/think&gt;answer", or "…&lt;/think&gt;answer" when the
    /// template forced the opening tag into the prompt; content without a closing tag has no reasoning.
    /// </summary>
    public static (string Answer, string? Reasoning, ReasoningStyle Style) SplitThink(string content)
    {
        const string Open = "<think>", Close = "</think>";
        var close = content.IndexOf(Close, StringComparison.Ordinal);
        if (close < 0) return (content, null, ReasoningStyle.None);
        var open = content.IndexOf(Open, StringComparison.Ordinal);
        var answer = content[(close + Close.Length)..].TrimStart();
        return open >= 0 && open < close
            ? (answer, content[(open + Open.Length)..close].Trim(), ReasoningStyle.ThinkTags)
            : (answer, content[..close].Trim(), ReasoningStyle.ClosingTagOnly);
    }
}
