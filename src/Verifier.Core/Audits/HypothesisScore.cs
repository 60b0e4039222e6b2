namespace Verifier.Core.Audits;

/// <summary>Posterior probability of one hypothesis (a variant id, a variant@precision, a mixture, or "unknown").</summary>
public sealed record HypothesisScore(string Hypothesis, double Posterior);
