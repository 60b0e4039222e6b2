namespace Verifier.Service.Tests.Faults;

using Verifier.Core.AuditLog;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// The tail of the audit log against someone with SQL access (triggers disabled): deleting the last rows, rewriting
/// the last row with a recomputed plain SHA-256 (and the head row too), and writing after a deletion. Each must be
/// reported; none may reuse a sequence number.
/// </summary>
public sealed class AuditLogTamperTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private VerifierDb Db(AuditLogKey? key = null) => new(VerifierDb.Options(database.ConnectionString), key ?? VerifierFactory.LogKey);

    private async Task AppendAsync(int entries)
    {
        await using var db = Db();
        for (var i = 0; i < entries; i++) await KeyStore.CreateAsync(db, "viewer", $"key {i}", null);
    }

    private async Task<LogVerification> VerifyAsync(AuditLogKey? key = null)
    {
        await using var db = Db(key);
        return await AuditLogWriter.VerifyAsync(db);
    }

    private Task AsSuperuserAsync(string sql) => database.ExecuteAsync(
        $"ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_log_head DISABLE TRIGGER USER; {sql}; ALTER TABLE audit_log ENABLE TRIGGER USER; ALTER TABLE audit_log_head ENABLE TRIGGER USER;");

    [Fact]
    public async Task An_untouched_log_verifies_with_its_signed_checkpoint_and_count()
    {
        await AppendAsync(6);
        var v = await VerifyAsync();
        Assert.True(v.Valid, string.Join("; ", v.Problems));
        Assert.Equal(6, v.Entries);
        Assert.Equal(6, v.CheckpointSeq);
        Assert.Equal(6, v.CheckpointEntries);
        Assert.True(v.CheckpointSignatureValid);
        Assert.False(v.Truncated);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Deleting_the_last_rows_is_reported_as_truncation_and_their_numbers_are_never_reused(int deleted)
    {
        await AppendAsync(8);
        await AsSuperuserAsync($"DELETE FROM audit_log WHERE seq > {8 - deleted}");
        var v = await VerifyAsync();
        Assert.False(v.Valid);
        Assert.True(v.Truncated);
        Assert.Equal(8 - deleted + 1, v.FirstBrokenSeq);
        Assert.Equal(8 - deleted, v.Entries);
        Assert.Contains(v.Problems, p => p.Contains("truncated", StringComparison.Ordinal));

        await AppendAsync(1);
        Assert.Equal(9L, await database.ScalarAsync<long>("SELECT max(seq) FROM audit_log"));
        Assert.False((await VerifyAsync()).Valid); // the gap stays visible after the next write
    }

    [Fact]
    public async Task Rewriting_the_last_row_with_a_recomputed_hash_is_detected()
    {
        await AppendAsync(5);
        await using (var db = Db())
        {
            var last = db.AuditLog.OrderByDescending(e => e.Seq).First();
            var forged = new AuditLogEntry(last.Seq, last.At, last.KeyId, last.Action, last.EntityType, last.EntityId, "{\"Name\":\"someone else\",\"Role\":\"admin\"}");
            var hash = Convert.ToHexStringLower(AuditChain.Hash(last.PrevHash, forged));
            await AsSuperuserAsync($"UPDATE audit_log SET data = '{forged.DataJson}', hash = '\\x{hash}' WHERE seq = {last.Seq}");
            var v = await VerifyAsync();
            Assert.False(v.Valid);
            Assert.Equal(5, v.FirstBrokenSeq);
            Assert.False(v.Truncated);

            // ...and moving the head to the forged hash as well: the signature over it no longer matches.
            await AsSuperuserAsync($"UPDATE audit_log_head SET hash = '\\x{hash}'");
            v = await VerifyAsync();
            Assert.False(v.Valid);
            Assert.False(v.CheckpointSignatureValid);
        }
    }

    [Fact]
    public async Task Deleting_the_tail_and_rolling_the_head_back_without_the_key_is_detected()
    {
        await AppendAsync(4);
        var hash3 = await database.ScalarAsync<byte[]>("SELECT hash FROM audit_log WHERE seq = 3");
        await AsSuperuserAsync($"DELETE FROM audit_log WHERE seq = 4; UPDATE audit_log_head SET seq = 3, entries = 3, hash = '\\x{Convert.ToHexStringLower(hash3!)}'");
        var v = await VerifyAsync();
        Assert.False(v.Valid);
        Assert.False(v.CheckpointSignatureValid);
        Assert.False((await VerifyAsync(AuditLogKey.From(Convert.ToBase64String(new byte[32]), null))).Valid); // another server's key does not vouch for it either
    }

    [Fact]
    public async Task The_head_refuses_to_move_backwards_or_be_deleted_while_its_trigger_is_on()
    {
        await AppendAsync(2);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => database.ExecuteAsync("UPDATE audit_log_head SET seq = 1"));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => database.ExecuteAsync("DELETE FROM audit_log_head"));
    }

    [Fact]
    public async Task Appending_without_a_key_is_refused_rather_than_leaving_an_unsigned_head()
    {
        await using var db = new VerifierDb(VerifierDb.Options(database.ConnectionString));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => KeyStore.CreateAsync(db, "viewer", "k", null));
        Assert.Contains("VERIFIER_ENCRYPTION_KEY", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM api_keys"));
    }
}
