namespace Verifier.Storage;

using Verifier.Core.AuditLog;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Security;

/// <summary>Service keys: created (the plain key is returned once, only its hash stored) and revoked, each with an audit-log entry.</summary>
public static class KeyStore
{
    public static async Task<(ApiKeyRow Row, string Key)> CreateAsync(VerifierDb db, string role, string name, Guid? actor, CancellationToken ct = default)
    {
        if (!ApiKeys.Roles.Contains(role)) throw new ArgumentException($"role must be one of {string.Join(", ", ApiKeys.Roles)}.", nameof(role));
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must not be empty.", nameof(name));
        var key = ApiKeys.NewKey();
        var row = new ApiKeyRow { Id = Guid.NewGuid(), Name = name, Role = role, KeyHash = ApiKeys.Hash(key), CreatedAt = DateTimeOffset.UtcNow };
        await db.InTransactionAsync(async token =>
        {
            db.ApiKeys.Add(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, actor, AuditActions.KeyCreated, "api_key", row.Id.ToString(), new { row.Name, row.Role }, token);
        }, ct);
        return (row, key);
    }

    /// <summary>False when no such key exists; revoking twice is a no-op.</summary>
    public static Task<bool> RevokeAsync(VerifierDb db, Guid id, Guid? actor, CancellationToken ct = default) =>
        db.InTransactionAsync(async token =>
        {
            var row = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, token);
            if (row is null) return false;
            if (row.RevokedAt is null)
            {
                row.RevokedAt = DateTimeOffset.UtcNow;
                await db.SaveChangesAsync(token);
                await AuditLogWriter.AppendAsync(db, actor, AuditActions.KeyRevoked, "api_key", row.Id.ToString(), new { row.Name }, token);
            }
            return true;
        }, ct);

    public static Task<ApiKeyRow?> FindActiveAsync(VerifierDb db, string key, CancellationToken ct = default)
    {
        var hash = ApiKeys.Hash(key);
        return db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null, ct);
    }
}
