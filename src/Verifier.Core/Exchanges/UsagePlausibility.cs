namespace Verifier.Core.Exchanges;

using System.Globalization;

/// <summary>
/// Whether the token counts a target reported can be true of what was sent and returned, and what an audit charges to
/// its token budget. A byte-level BPE token covers at least one byte of the prompt's text (the JSON request holds at
/// least those bytes) and decodes to at least a fraction of a character of the reply, so counts beyond
/// bytes + template slack (prompt) or 4 × characters + slack (completion) are impossible. An implausible or invalid
/// count is an anomaly: the exchange is marked and the plausible estimate is charged instead, so the vendor's numbers
/// can neither end an audit early nor become negative cost.
/// </summary>
public static class UsagePlausibility
{
    public const string AnomalyPrefix = "usage anomaly: ";

    /// <summary>Tokens a template and a hidden system prompt may add to a prompt beyond the request's bytes.</summary>
    public const int PromptSlack = 8192;

    /// <summary>Completion tokens per returned character at most (a character split into byte tokens), plus special tokens.</summary>
    public const int TokensPerCharacter = 4;
    public const int CompletionSlack = 1024;

    public sealed record Assessment(TokenUsage? Charged, string? Anomaly);

    public static Assessment Assess(TokenUsage? reported, int requestBytes, int replyCharacters)
    {
        if (reported is null) return new(null, null);
        var problems = new List<string>();
        if (reported.Invalid is { } invalid) problems.Add(invalid + " (not a token count)");
        var prompt = Plausible("prompt_tokens", reported.PromptTokens, (long)requestBytes + PromptSlack, EstimatePrompt(requestBytes), $"{requestBytes} request bytes", problems);
        var completion = Plausible("completion_tokens", reported.CompletionTokens, (long)TokensPerCharacter * replyCharacters + CompletionSlack,
            EstimateCompletion(replyCharacters), $"{replyCharacters} characters returned", problems);
        // Reasoning tokens are part of the completion; a larger count cannot be true.
        var reasoning = reported.ReasoningTokens is { } r && (completion is null || r <= completion) ? reported.ReasoningTokens : null;
        if (reported.ReasoningTokens is { } rr && reasoning is null) problems.Add(string.Create(CultureInfo.InvariantCulture, $"reasoning_tokens {rr} > completion_tokens"));
        if (problems.Count == 0) return new(reported with { Invalid = null }, null);
        var charged = new TokenUsage(prompt ?? (reported.Invalid is null ? null : EstimatePrompt(requestBytes)), completion ?? (reported.Invalid is null ? null : EstimateCompletion(replyCharacters)), reasoning);
        return new(charged, AnomalyPrefix + string.Join("; ", problems) + string.Create(CultureInfo.InvariantCulture, $"; charged {charged.PromptTokens ?? 0}+{charged.CompletionTokens ?? 0} tokens"));
    }

    public static int EstimatePrompt(int requestBytes) => requestBytes / 4 + 1;

    public static int EstimateCompletion(int replyCharacters) => replyCharacters / 3 + 1;

    private static int? Plausible(string field, int? value, long ceiling, int estimate, string basis, List<string> problems)
    {
        if (value is not { } v) return null;
        if (v <= ceiling) return v;
        problems.Add(string.Create(CultureInfo.InvariantCulture, $"{field} {v} > {ceiling} possible for {basis}"));
        return estimate;
    }
}
