namespace Verifier.Targets.Http;

using Verifier.Core.Audits;
using Verifier.Core.Exchanges;

/// <summary>A request's final response after retries, with every attempt's raw exchange.</summary>
public sealed record TargetCall(ProbeResponse Response, IReadOnlyList<Exchange> Exchanges);
