namespace Verifier.Core.Audits;

public sealed record AuditCost(int Requests, long PromptTokens, long CompletionTokens, TimeSpan WallTime);
