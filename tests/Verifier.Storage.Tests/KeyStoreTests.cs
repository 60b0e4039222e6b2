namespace Verifier.Storage.Tests;

using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;
using Verifier.Storage;

/// <summary>Service keys on a real PostgreSQL: only hashes at rest, revocation, and an audit-log entry for each change.</summary>
public sealed class KeyStoreTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private static readonly AuditLogKey LogKey = AuditLogKey.From(null, Convert.ToBase64String(new byte[32]))!;

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    private VerifierDb Db() => new(VerifierDb.Options(database.ConnectionString), LogKey);

    [Fact]
    public async Task A_created_key_is_stored_only_as_its_hash_and_found_until_revoked()
    {
        await using var db = Db();
        var (row, key) = await KeyStore.CreateAsync(db, "admin", "ops", null);
        var stored = await database.ScalarAsync<string>($"SELECT row_to_json(k)::text FROM api_keys k WHERE id = '{row.Id}'");
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.Equal(row.Id, (await KeyStore.FindActiveAsync(db, key))?.Id);
        Assert.Null(await KeyStore.FindActiveAsync(db, key + "x"));

        Assert.True(await KeyStore.RevokeAsync(db, row.Id, row.Id));
        Assert.True(await KeyStore.RevokeAsync(db, row.Id, row.Id)); // twice: a no-op
        Assert.Null(await KeyStore.FindActiveAsync(db, key));
        Assert.False(await KeyStore.RevokeAsync(db, Guid.NewGuid(), row.Id));

        var actions = await db.AuditLog.OrderBy(e => e.Seq).Select(e => e.Action).ToListAsync();
        Assert.Equal(["key.created", "key.revoked"], actions);
        Assert.True((await AuditLogWriter.VerifyAsync(db)).Valid);
    }

    [Theory]
    [InlineData("root", "ops", "role")]
    [InlineData("admin", " ", "name")]
    public async Task A_bad_role_or_name_is_refused_and_nothing_is_stored(string role, string name, string problem)
    {
        await using var db = Db();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => KeyStore.CreateAsync(db, role, name, null));
        Assert.Equal(problem, e.ParamName);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM api_keys"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
    }
}
