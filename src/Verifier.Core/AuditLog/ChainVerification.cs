namespace Verifier.Core.AuditLog;

public sealed record ChainVerification(bool Valid, long Entries, long? FirstBrokenSeq);
