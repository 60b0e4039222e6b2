namespace Verifier.Core.Tests.AuditLog;

using Verifier.Core.AuditLog;

/// <summary>The decision over chain + checkpoint + verdict digests, without a database.</summary>
public class LogVerifierTests
{
    private static readonly AuditLogKey Key = AuditLogKey.From(null, Convert.ToBase64String(new byte[32]))!;
    private static readonly byte[] Hash5 = Enumerable.Repeat((byte)5, 32).ToArray();

    private static LogVerification Decide(long entries, long? lastSeq, byte[]? lastHash, AuditCheckpoint head, AuditLogKey? key = null, bool chainValid = true) =>
        LogVerifier.Decide(new ChainVerification(chainValid, entries, chainValid ? null : 2), lastSeq, lastHash, head, key ?? Key, [], []);

    [Fact]
    public void A_chain_ending_at_the_signed_checkpoint_is_valid()
    {
        var v = Decide(5, 5, Hash5, AuditCheckpoint.Signed(5, Hash5, 5, Key));
        Assert.True(v.Valid, string.Join("; ", v.Problems));
        Assert.True(v.CheckpointSignatureValid);
    }

    [Fact]
    public void A_chain_shorter_than_the_checkpoint_is_truncated_from_the_first_missing_entry()
    {
        var v = Decide(3, 3, [1], AuditCheckpoint.Signed(5, Hash5, 5, Key));
        Assert.False(v.Valid);
        Assert.True(v.Truncated);
        Assert.Equal(4, v.FirstBrokenSeq);
    }

    [Fact]
    public void A_last_entry_that_differs_from_the_checkpoint_hash_is_named()
    {
        var v = Decide(5, 5, [9, 9], AuditCheckpoint.Signed(5, Hash5, 5, Key));
        Assert.False(v.Valid);
        Assert.Equal(5, v.FirstBrokenSeq);
    }

    [Fact]
    public void A_head_changed_without_the_key_or_checked_with_another_key_is_refused()
    {
        var signed = AuditCheckpoint.Signed(5, Hash5, 5, Key);
        Assert.False(Decide(5, 5, [1], signed with { Hash = [1] }).CheckpointSignatureValid);
        Assert.False(Decide(5, 5, Hash5, signed, AuditLogKey.From(Convert.ToBase64String(new byte[40]), null)).Valid);
        Assert.False(Decide(5, 5, Hash5, signed with { Signature = null }).Valid);
    }

    [Fact]
    public void An_empty_log_with_its_unsigned_genesis_head_is_valid()
    {
        Assert.True(Decide(0, null, null, new AuditCheckpoint(0, new byte[32], 0, null)).Valid);
    }

    [Fact]
    public void Tampered_and_unbound_verdicts_make_the_log_invalid()
    {
        var head = AuditCheckpoint.Signed(5, Hash5, 5, Key);
        var v = LogVerifier.Decide(new ChainVerification(true, 5, null), 5, Hash5, head, Key, ["a1"], ["a2"]);
        Assert.False(v.Valid);
        Assert.Equal(["a1"], v.TamperedVerdicts);
        Assert.Contains(v.Problems, p => p.Contains("a2", StringComparison.Ordinal));
    }

    [Fact]
    public void The_derived_key_differs_from_the_encryption_key_and_never_prints()
    {
        var encryption = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var key = AuditLogKey.From(null, Convert.ToBase64String(encryption))!;
        Assert.Equal("AuditLogKey(***)", key.ToString());
        var direct = System.Security.Cryptography.HMACSHA256.HashData(encryption, new byte[] { 1, 2, 3 });
        Assert.NotEqual(direct, key.Sign([1, 2, 3]));
        Assert.Null(AuditLogKey.From(null, null));
        Assert.Throws<InvalidOperationException>(() => AuditLogKey.From("c2hvcnQ=", null));
    }
}
