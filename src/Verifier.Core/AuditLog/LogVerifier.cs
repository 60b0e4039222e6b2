namespace Verifier.Core.AuditLog;

public static class LogVerifier
{
    /// <summary>
    /// Combines the chain walk with the checkpoint and the verdict digests. The chain alone cannot see a deleted tail
    /// or a last row rewritten with a recomputed hash; the signed checkpoint can, and a verdict edited in SQL no
    /// longer matches the digest its `verdict.stored` entry carries.
    /// </summary>
    public static LogVerification Decide(ChainVerification chain, long? lastSeq, byte[]? lastHash, AuditCheckpoint head, AuditLogKey? key,
        IReadOnlyList<string> tamperedVerdicts, IReadOnlyList<string> unboundVerdicts)
    {
        var problems = new List<string>();
        long? firstBroken = chain.FirstBrokenSeq;
        if (!chain.Valid) problems.Add($"entry {chain.FirstBrokenSeq} does not chain (hash, link or sequence wrong)");
        var signed = key is not null && head.SignatureValid(key);
        var genesis = head.Seq == 0 && chain.Entries == 0;
        if (key is null) problems.Add("no audit-log key configured: the checkpoint cannot be checked");
        else if (head.Signature is null && !genesis) problems.Add("checkpoint is unsigned");
        else if (head.Signature is not null && !signed) problems.Add("checkpoint signature does not match (the head row was rewritten)");
        var last = lastSeq ?? 0;
        var truncated = last < head.Seq;
        if (truncated)
        {
            problems.Add($"log truncated: entries {last + 1}..{head.Seq} are missing (checkpoint at {head.Seq})");
            firstBroken ??= last + 1;
        }
        else if (last > head.Seq)
        {
            problems.Add($"entries {head.Seq + 1}..{last} come after the checkpoint: not written by the service");
            firstBroken ??= head.Seq + 1;
        }
        else if (lastHash is not null && !lastHash.AsSpan().SequenceEqual(head.Hash))
        {
            problems.Add($"entry {last} differs from the checkpoint's hash (rewritten)");
            firstBroken ??= last;
        }
        if (chain.Entries != head.Entries) problems.Add($"{chain.Entries} entries stored, the checkpoint counts {head.Entries}");
        foreach (var audit in tamperedVerdicts) problems.Add($"verdict or evidence of audit {audit} differs from what the log recorded");
        foreach (var audit in unboundVerdicts) problems.Add($"verdict of audit {audit} has no log entry binding it");
        return new LogVerification(problems.Count == 0, chain.Entries, firstBroken, lastSeq, head.Seq, head.Entries, signed, truncated, tamperedVerdicts, problems);
    }
}
