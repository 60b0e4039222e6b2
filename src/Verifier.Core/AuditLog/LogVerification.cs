namespace Verifier.Core.AuditLog;

/// <summary>What verification found: the chain, the tail against the signed checkpoint, and the verdicts bound into the chain.</summary>
public sealed record LogVerification(
    bool Valid,
    long Entries,
    long? FirstBrokenSeq,
    long? LastSeq,
    long CheckpointSeq,
    long CheckpointEntries,
    bool CheckpointSignatureValid,
    bool Truncated,
    IReadOnlyList<string> TamperedVerdicts,
    IReadOnlyList<string> Problems);
