namespace Verifier.Core.AuditLog;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

/// <summary>
/// The server key that signs the audit log's head checkpoint. Never printed: ToString names no bytes. Configured
/// explicitly, or derived (HKDF-SHA256, its own label) from the key that encrypts vendor API keys.
/// </summary>
public sealed class AuditLogKey
{
    private const string Label = "r1-verifier audit-log checkpoint v1";
    private readonly byte[] key;

    private AuditLogKey(byte[] key) => this.key = key;

    /// <summary>
    /// An explicit key (base64, at least 32 bytes) wins; else one derived from the encryption key (base64 of 32 bytes,
    /// as SecretBox takes it); else null. Setting names appear in errors, values never.
    /// </summary>
    public static AuditLogKey? From(string? explicitBase64, string? encryptionKeyBase64)
    {
        if (!string.IsNullOrWhiteSpace(explicitBase64))
            return new AuditLogKey(Decode(explicitBase64, "Verifier:AuditLogKey (or VERIFIER_AUDIT_LOG_KEY)", 32));
        if (string.IsNullOrWhiteSpace(encryptionKeyBase64)) return null;
        var encryptionKey = Decode(encryptionKeyBase64, "Verifier:EncryptionKey (or VERIFIER_ENCRYPTION_KEY)", 32);
        return new AuditLogKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, encryptionKey, 32, salt: [], info: Encoding.UTF8.GetBytes(Label)));
    }

    /// <summary>From VERIFIER_AUDIT_LOG_KEY or VERIFIER_ENCRYPTION_KEY (the command line's way).</summary>
    public static AuditLogKey? FromEnvironment() =>
        From(Environment.GetEnvironmentVariable("VERIFIER_AUDIT_LOG_KEY"), Environment.GetEnvironmentVariable("VERIFIER_ENCRYPTION_KEY"));

    private static byte[] Decode(string base64, string settingName, int minLength)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidOperationException($"{settingName} is not valid base64."); }
        if (bytes.Length < minLength) throw new InvalidOperationException($"{settingName} must decode to at least {minLength} bytes, not {bytes.Length}.");
        return bytes;
    }

    public byte[] Sign(byte[] message) => HMACSHA256.HashData(key, message);

    public override string ToString() => "AuditLogKey(***)";
}

/// <summary>The head of the chain as stored: last seq, its hash, how many entries, and the signature over the three.</summary>
public sealed record AuditCheckpoint(long Seq, byte[] Hash, long Entries, byte[]? Signature)
{
    public static byte[] Message(long seq, byte[] hash, long entries) => Encoding.UTF8.GetBytes(string.Join('\n',
        "r1-verifier audit-log checkpoint v1", seq.ToString(CultureInfo.InvariantCulture), Convert.ToHexStringLower(hash), entries.ToString(CultureInfo.InvariantCulture)));

    public static AuditCheckpoint Signed(long seq, byte[] hash, long entries, AuditLogKey key) => new(seq, hash, entries, key.Sign(Message(seq, hash, entries)));

    public bool SignatureValid(AuditLogKey key) =>
        Signature is { } s && CryptographicOperations.FixedTimeEquals(s, key.Sign(Message(Seq, Hash, Entries)));
}

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
