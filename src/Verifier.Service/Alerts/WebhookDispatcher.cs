namespace Verifier.Service.Alerts;

using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Alerts;
using Verifier.Storage;

/// <summary>
/// Sends the stored outbox, on every node. Each tick claims due pending deliveries with FOR UPDATE SKIP LOCKED and
/// leases them (attempts + 1, next_attempt_at moved past the request timeout) in one short transaction, so two nodes
/// never send one attempt; then POSTs each (signed, outside any transaction) and records the attempt: delivered on 2xx,
/// else retried with backoff or marked dead. A node killed mid-POST leaves the lease to expire and another node sends
/// again (same X-Verifier-Delivery, so a receiver can drop the duplicate). All state is in the database.
/// </summary>
public sealed class WebhookDispatcher(IDbContextFactory<VerifierDb> dbs, VerifierSettings settings, WebhookSettings webhooks, IHttpClientFactory clients,
    TimeProvider time, ILogger<WebhookDispatcher> log) : BackgroundService
{
    public const string ClientName = "webhooks";

    private sealed record Claimed(Guid Id, Guid WebhookId, string EventType, string Body, int Attempts, DateTimeOffset CreatedAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(webhooks.PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await TickAsync(stoppingToken) == webhooks.BatchSize) { } // a full batch: more may be due
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Webhook dispatch tick skipped: {Reason}", e.GetType().Name);
            }
        }
    }

    /// <summary>One round: claim, send, record. Returns how many deliveries it claimed.</summary>
    public async Task<int> TickAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(ct);
        await Task.WhenAll(claimed.Select(c => SendAsync(c, ct)));
        return claimed.Count;
    }

    private async Task<List<Claimed>> ClaimAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var leaseUntil = now + webhooks.Timeout + TimeSpan.FromSeconds(30);
        return await db.InTransactionAsync(token => db.Database.SqlQuery<Claimed>($"""
            WITH due AS (
                SELECT id FROM webhook_deliveries
                 WHERE status = 'pending' AND next_attempt_at <= {now}
                 ORDER BY next_attempt_at
                 LIMIT {webhooks.BatchSize}
                 FOR UPDATE SKIP LOCKED)
            UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = {leaseUntil}
              FROM due WHERE d.id = due.id
            RETURNING d.id AS "Id", d.webhook_id AS "WebhookId", d.event_type AS "EventType", d.body AS "Body", d.attempts AS "Attempts", d.created_at AS "CreatedAt"
            """).ToListAsync(token), ct);
    }

    private async Task SendAsync(Claimed c, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var hook = await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == c.WebhookId, ct);
        int? status = null;
        string? error = null;
        var watch = Stopwatch.StartNew();
        var at = time.GetUtcNow();
        if (hook is null || hook.DeletedAt is not null) error = "webhook deleted";
        else
        {
            try
            {
                var timestamp = at.ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(c.Body, Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Verifier-Event", c.EventType);
                request.Headers.Add("X-Verifier-Delivery", c.Id.ToString());
                request.Headers.Add("X-Verifier-Timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add("X-Verifier-Signature", WebhookSignature.Sign(settings.Secrets.Open(hook.SecretCipher), timestamp, c.Body));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(webhooks.Timeout);
                using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode; // the body is not read: a receiver's answer is only its status
                if (!DeliveryRetry.Delivered(status)) error = $"HTTP {status}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                error = $"no answer within {webhooks.Timeout.TotalSeconds:0.#} s";
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                error = "secret unreadable with this node's encryption key";
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError == HttpRequestError.Unknown ? "request failed" : e.HttpRequestError.ToString(); // never the URL (it may carry a token)
            }
        }
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var now = time.GetUtcNow();
        var decision = error is null ? null
            : hook is null || hook.DeletedAt is not null ? new RetryDecision(true, null)
            : DeliveryRetry.AfterFailure(c.Attempts, c.CreatedAt, now, webhooks.Retry, Random.Shared.NextDouble());
        // Recorded without the stopping token: an attempt that happened is worth its row.
        await db.InTransactionAsync(async token =>
        {
            db.WebhookAttempts.Add(new WebhookAttemptRow { DeliveryId = c.Id, Attempt = c.Attempts, At = at, NodeId = settings.NodeId, StatusCode = status, Error = error, DurationMs = elapsed });
            await db.SaveChangesAsync(token);
            // Fenced on the attempt this node leased: if the lease ran out and another node took the delivery, it decides.
            await db.WebhookDeliveries.Where(d => d.Id == c.Id && d.Attempts == c.Attempts && d.Status == DeliveryStatus.Pending)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, error is null ? DeliveryStatus.Delivered : decision!.Dead ? DeliveryStatus.Dead : DeliveryStatus.Pending)
                    .SetProperty(d => d.DeliveredAt, error is null ? now : null)
                    .SetProperty(d => d.NextAttemptAt, decision?.NextAttemptAt ?? now)
                    .SetProperty(d => d.LastError, error), token);
        }, CancellationToken.None);
        if (error is not null)
            log.LogWarning("Webhook {WebhookId} delivery {DeliveryId} attempt {Attempt} failed ({Error}){Dead}", c.WebhookId, c.Id, c.Attempts, error, decision!.Dead ? "; given up" : "");
    }
}
