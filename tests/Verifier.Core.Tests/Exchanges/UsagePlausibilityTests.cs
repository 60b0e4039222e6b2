namespace Verifier.Core.Tests.Exchanges;

using Verifier.Core.Audits;
using Verifier.Core.Exchanges;

public class UsagePlausibilityTests
{
    [Fact]
    public void Plausible_counts_are_charged_as_reported()
    {
        var a = UsagePlausibility.Assess(new TokenUsage(120, 300, 200), requestBytes: 400, replyCharacters: 900);
        Assert.Null(a.Anomaly);
        Assert.Equal(new TokenUsage(120, 300, 200), a.Charged);
        Assert.Equal(new UsagePlausibility.Assessment(null, null), UsagePlausibility.Assess(null, 400, 900));
    }

    [Theory]
    [InlineData(2_000_000, 300, "prompt_tokens 2000000 > 8592 possible for 400 request bytes")]
    [InlineData(120, 5_000_000, "completion_tokens 5000000 > 4624 possible for 900 characters returned")]
    public void Implausible_counts_are_anomalies_charged_as_estimates(int prompt, int completion, string why)
    {
        var a = UsagePlausibility.Assess(new TokenUsage(prompt, completion), requestBytes: 400, replyCharacters: 900);
        Assert.Contains(why, a.Anomaly, StringComparison.Ordinal);
        Assert.StartsWith(UsagePlausibility.AnomalyPrefix, a.Anomaly, StringComparison.Ordinal);
        Assert.InRange(a.Charged!.PromptTokens!.Value, 1, 400);
        Assert.InRange(a.Charged.CompletionTokens!.Value, 1, 900);
    }

    [Fact]
    public void Invalid_counts_are_anomalies_and_charged_as_estimates()
    {
        var a = UsagePlausibility.Assess(new TokenUsage(null, null) { Invalid = "prompt_tokens=-5" }, 400, 900);
        Assert.Contains("prompt_tokens=-5", a.Anomaly, StringComparison.Ordinal);
        Assert.Equal(new TokenUsage(UsagePlausibility.EstimatePrompt(400), UsagePlausibility.EstimateCompletion(900)), a.Charged);
    }

    [Fact]
    public void Reasoning_tokens_beyond_the_completion_are_dropped()
    {
        var a = UsagePlausibility.Assess(new TokenUsage(10, 20, 50), 400, 900);
        Assert.Null(a.Charged!.ReasoningTokens);
        Assert.NotNull(a.Anomaly);
    }

    [Fact]
    public void Failure_summary_names_what_every_attempt_ended_in()
    {
        Exchange E(int seq, ExchangeOutcome outcome, int? status, string? error) => new(seq, "p", "POST", "u", new Dictionary<string, string>(), [], status,
            new Dictionary<string, string>(), [], outcome, error, DateTimeOffset.UnixEpoch, TimeSpan.Zero, null, null, 1);
        var text = AuditFailures.Describe([E(1, ExchangeOutcome.HttpError, 503, "HTTP 503"), E(2, ExchangeOutcome.HttpError, 502, "HTTP 502"),
            E(3, ExchangeOutcome.HttpError, 503, "HTTP 503"), E(4, ExchangeOutcome.Timeout, null, "audit wall-time budget reached after 1.2 s in this attempt")], 3);
        Assert.Equal("every request failed (4 attempts, none delivered): 503 from vendor (5xx) ×2, 502 from vendor (5xx) ×1, Timeout: audit wall-time budget reached ×1", text);
        Assert.StartsWith("no request was sent", AuditFailures.Describe([], 0), StringComparison.Ordinal);
    }
}
