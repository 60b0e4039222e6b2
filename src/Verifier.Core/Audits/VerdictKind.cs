namespace Verifier.Core.Audits;

public enum VerdictKind { Consistent, Mismatch, Inconclusive }
