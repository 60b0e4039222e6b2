namespace Verifier.Core.Chat;

/// <summary>
/// One generated token as an OpenAI-compatible server reports it with <c>logprobs: true</c>: the token, its log
/// probability and the <c>top_logprobs</c> alternatives at that position (most likely first).
/// </summary>
public sealed record TokenLogprob(string Token, double Logprob, IReadOnlyList<TopLogprob> Top);

/// <summary>One alternative of a position's top-k list.</summary>
public sealed record TopLogprob(string Token, double Logprob);
