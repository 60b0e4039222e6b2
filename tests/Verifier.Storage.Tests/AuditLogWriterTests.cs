namespace Verifier.Storage.Tests;

using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;
using Verifier.Storage;

/// <summary>The audit log on a real PostgreSQL: appended only in a transaction, gap-free under concurrent writers, a deleted tail detected and its numbers never reused.</summary>
public sealed class AuditLogWriterTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private static readonly AuditLogKey LogKey = AuditLogKey.From(null, Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()))!;

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private VerifierDb Db(AuditLogKey? key = null) => new(VerifierDb.Options(database.ConnectionString), key ?? LogKey);

    private async Task AppendAsync(int i)
    {
        await using var db = Db();
        await db.InTransactionAsync(t => AuditLogWriter.AppendAsync(db, null, "test.appended", "test", i.ToString(System.Globalization.CultureInfo.InvariantCulture), new { i }, t), CancellationToken.None);
    }

    [Fact]
    public async Task Appending_outside_a_transaction_or_without_a_key_is_refused()
    {
        await using var db = Db();
        await Assert.ThrowsAsync<InvalidOperationException>(() => AuditLogWriter.AppendAsync(db, null, "x", "y", "z", new { }));
        await using var keyless = new VerifierDb(VerifierDb.Options(database.ConnectionString));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => keyless.InTransactionAsync(t => AuditLogWriter.AppendAsync(keyless, null, "x", "y", "z", new { }, t), CancellationToken.None));
        Assert.Contains("VERIFIER_AUDIT_LOG_KEY", e.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }

    [Fact]
    public async Task Concurrent_writers_get_a_gap_free_sequence_and_a_signed_head()
    {
        await Task.WhenAll(Enumerable.Range(0, 24).Select(AppendAsync));
        await using var db = Db();
        var seqs = await db.AuditLog.OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 24).Select(i => (long)i), seqs);
        var v = await AuditLogWriter.VerifyAsync(db);
        Assert.True(v.Valid, string.Join("; ", v.Problems));
        Assert.True(v.CheckpointSignatureValid);
        Assert.Equal(24, v.Entries);
    }

    [Fact]
    public async Task A_tail_deleted_past_the_trigger_is_reported_and_its_numbers_are_not_reused()
    {
        for (var i = 0; i < 5; i++) await AppendAsync(i);
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => database.ExecuteAsync("DELETE FROM audit_log WHERE seq > 3"));
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        // An owner of the database can still bypass the trigger: then the signed head tells.
        await database.ExecuteAsync("ALTER TABLE audit_log DISABLE TRIGGER USER; DELETE FROM audit_log WHERE seq > 3; ALTER TABLE audit_log ENABLE TRIGGER USER;");
        await using (var db = Db())
        {
            var v = await AuditLogWriter.VerifyAsync(db);
            Assert.False(v.Valid);
            Assert.True(v.Truncated);
            Assert.Equal(5, v.CheckpointSeq);
        }
        await AppendAsync(5);
        Assert.Equal(6L, await database.ScalarAsync<long>("SELECT max(seq) FROM audit_log"));
    }

    [Fact]
    public async Task A_head_signed_with_another_key_fails_verification()
    {
        await AppendAsync(0);
        await using var db = Db(AuditLogKey.From(null, Convert.ToBase64String(new byte[32])));
        var v = await AuditLogWriter.VerifyAsync(db);
        Assert.False(v.CheckpointSignatureValid);
        Assert.False(v.Valid);
    }
}
