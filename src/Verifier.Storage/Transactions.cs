namespace Verifier.Storage;

using System.Data;
using Microsoft.EntityFrameworkCore;

/// <summary>
/// A user transaction under the retrying execution strategy: on a transient failure the whole unit runs again on a
/// fresh change tracker, so the body must (re)load what it changes inside itself.
/// </summary>
public static class Transactions
{
    public static Task<T> InTransactionAsync<T>(this VerifierDb db, Func<CancellationToken, Task<T>> body, CancellationToken ct, IsolationLevel isolation = IsolationLevel.ReadCommitted) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(isolation, token);
            var result = await body(token);
            await tx.CommitAsync(token);
            return result;
        }, ct);

    public static Task InTransactionAsync(this VerifierDb db, Func<CancellationToken, Task> body, CancellationToken ct) =>
        db.InTransactionAsync(async token => { await body(token); return true; }, ct);
}
