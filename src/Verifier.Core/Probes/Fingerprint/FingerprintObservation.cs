namespace Verifier.Core.Probes.Fingerprint;

using Verifier.Core.Chat;

/// <summary>
/// What one fingerprint request returned: the greedy tokens with their top-k log probabilities (null when the server
/// returned none) and the generated text, normalised (think tags and whitespace runs removed) for the text-only path.
/// </summary>
public sealed record FingerprintObservation(IReadOnlyList<TokenLogprob>? Tokens, string Text)
{
    public bool HasLogprobs => Tokens is { Count: > 0 };
}

/// <summary>The two answers of a self-consistency pair (the same prompt sent twice), compared with each other.</summary>
public sealed record FingerprintPair(FingerprintObservation First, FingerprintObservation Second);
