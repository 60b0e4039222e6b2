namespace Verifier.Core.Probes;

using Verifier.Core.Chat;

public enum ProbeCategory { Tokenizer, Metadata, LongContext, Reasoning, Code, Behaviour, Fingerprint }

public enum ProbeRequestKind { Chat, Get, PostJson }

/// <summary>One request a probe asks the runner to send. Chat requests carry messages; Get/PostJson carry a path (and body).</summary>
public sealed record ProbeRequest(
    ProbeRequestKind Kind,
    IReadOnlyList<ChatMessage> Messages,
    int MaxTokens = 0,
    double? Temperature = null,
    double? TopP = null,
    bool Stream = false,
    string? Path = null,
    string? JsonBody = null,
    int? TopLogprobs = null)
{
    public static ProbeRequest Chat(IReadOnlyList<ChatMessage> messages, int maxTokens, double? temperature = 0.6, double? topP = 0.95, bool stream = false) =>
        new(ProbeRequestKind.Chat, messages, maxTokens, temperature, topP, stream);

    public static ProbeRequest Get(string path) => new(ProbeRequestKind.Get, [], Path: path);
}

/// <summary>
/// A concrete probe made by a generator from a seed: the requests to send and the answer computed for it.
/// Tier names the difficulty ("t1".."t4") or a sub-kind for non-capability probes.
/// </summary>
public sealed record ProbeInstance(
    string ProbeId,
    string GeneratorId,
    ProbeCategory Category,
    string Tier,
    int Seed,
    IReadOnlyList<ProbeRequest> Requests,
    string ExpectedAnswer,
    int EstimatedTokens);

/// <summary>
/// What scoring one probe instance's replies found. OutcomeKey is a discrete outcome ("pass", "fail",
/// "no-answer", "family:qwen", "no-usage", ...); the engine turns (category, tier, outcome) into a likelihood
/// per hypothesis. Scorers of deterministic evidence may instead give LogLikelihoods per variant id directly.
/// </summary>
public sealed record ProbeOutcome(
    string ProbeId,
    ProbeCategory Category,
    string Tier,
    string OutcomeKey,
    string Observed,
    IReadOnlyList<int> ExchangeSequences,
    IReadOnlyDictionary<string, double>? LogLikelihoods = null,
    IReadOnlyDictionary<string, double>? Features = null)
{
    /// <summary>What a fingerprint probe saw (greedy tokens with their top-k log probabilities, or the text alone); weighed against reference fingerprints by the engine.</summary>
    public Fingerprint.FingerprintObservation? Fingerprint { get; init; }

    /// <summary>
    /// For a request checked against an earlier one (the prompt-usage check): the tokenizer family that earlier request's
    /// own probe matched, i.e. which model answered it; null when unknown. A mixture then splits the two requests with
    /// probability s (the later request alone may go to the other model), not 2s(1−s) as for a fresh pair.
    /// </summary>
    public string? AnchorFamily { get; init; }

    /// <summary>What a self-consistency pair saw (both answers to the same prompt); weighed against mixtures by the engine.</summary>
    public Fingerprint.FingerprintPair? Repeat { get; init; }
}
