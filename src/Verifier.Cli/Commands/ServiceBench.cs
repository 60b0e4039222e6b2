namespace Verifier.Cli.Commands;

using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Verifier.Service;
using Verifier.Service.Audits;
using Verifier.Simulator;
using Verifier.Storage;

/// <summary>One cadence of the bench: a cron every target is scheduled on and the budget of each scheduled audit (null: default).</summary>
public sealed record BenchCadence(string Name, string Cron, int? MaxRequests);

public sealed record ServiceBenchOptions(
    string ConnectionString, IReadOnlyList<int> Targets, IReadOnlyList<BenchCadence> Cadences, TimeSpan Window, TimeSpan Drain, Scenario Scenario)
{
    /// <summary>Job-server workers of the node (null: the service default).</summary>
    public int? Workers { get; init; }
}

/// <summary>
/// One cadence at one number of targets. Fires are the cron's slots after each target's schedule was set and before the
/// window closed; a fire is on time when its audit started within one period of the slot (lag from the fire time in
/// the idempotency key `schedule:&lt;fire&gt;` to audits.started_at); a fire without a started audit is never on time and
/// counts as an infinite lag. Bytes are per completed audit: stored row sizes (pg_column_size) across audits,
/// exchanges, evidence, verdicts and the audit's audit-log entries; of which raw exchange bodies (octet_length); and
/// the growth of those tables (pg_total_relation_size, with indexes and TOAST) divided by the audits completed.
/// </summary>
/// <summary>What the bench is doing: <paramref name="Window"/> windows of <paramref name="Windows"/> finished (cadence × number of targets).</summary>
public sealed record ServiceBenchProgress(string Message, int Window, int Windows);

public sealed record ServiceBenchRow(
    string Cadence, string Cron, int? MaxRequests, int Targets, double PeriodSeconds, int Fires, int FiresOnTime, int TargetsOnSchedule,
    double? P95LagSeconds, double? MaxLagSeconds, int Completed, int Failed, double AuditsPerMinute, double MeanRequests,
    long BytesPerAudit, long BodyBytesPerAudit, long GrowthPerAudit)
{
    /// <summary>p95 lag below the period: this many targets are kept on schedule by one node at this cadence.</summary>
    public bool KeptOnSchedule => Fires > 0 && P95LagSeconds is { } p && p < PeriodSeconds;
}

/// <summary>
/// `verifier bench service`: one service node (VerifierApp, as `serve` runs it: HTTP API + Hangfire job server) started
/// in-process on the given database, simulated vendors on 127.0.0.1 (one per target), targets and schedules created
/// through the HTTP API with an admin key made for the run (revoked at the end). For each cadence and each number of
/// targets: schedule them all, wait the window, unschedule, let running audits drain, read the audits table.
/// </summary>
public static class ServiceBench
{
    private static readonly string[] Tables = ["audits", "exchanges", "evidence", "verdicts", "audit_log"];

    public static async Task<IReadOnlyList<ServiceBenchRow>> RunAsync(ServiceBenchOptions o, Action<ServiceBenchProgress> progress, CancellationToken ct)
    {
        await Migrator.MigrateAsync(o.ConnectionString, _ => { }, ct);
        var app = VerifierApp.Build([], b =>
        {
            b.Configuration["ConnectionStrings:Verifier"] = o.ConnectionString;
            b.Configuration["Verifier:Targets:AllowedHosts"] = "127.0.0.1"; // the simulated vendors
            b.Configuration["Verifier:NodeId"] = $"bench-{Environment.MachineName}-{Environment.ProcessId}";
            if (o.Workers is { } w) b.Configuration["Verifier:Scheduler:Workers"] = w.ToString(CultureInfo.InvariantCulture);
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("VERIFIER_ENCRYPTION_KEY")))
                b.Configuration["Verifier:EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)); // bench targets carry no secrets
            b.Logging.ClearProviders();
            b.Logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace); // figures alone on stdout
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            b.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await app.StartAsync(ct);
        var vendors = new List<SimulatedVendor>();
        Guid? keyId = null;
        try
        {
            var settings = app.Services.GetRequiredService<VerifierSettings>();
            var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            await using (var db = new VerifierDb(VerifierDb.Options(o.ConnectionString), settings.LogKey))
            {
                var (row, key) = await KeyStore.CreateAsync(db, "admin", "bench service (temporary)", null, ct);
                keyId = row.Id;
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            for (var i = 0; i < o.Targets.Max(); i++)
                vendors.Add(await SimulatedVendor.StartAsync(o.Scenario with { Seed = o.Scenario.Seed + i }));
            var windows = o.Cadences.Count * o.Targets.Count;
            progress(new ServiceBenchProgress($"node up ({settings.Jobs.Workers} workers), {vendors.Count} simulated vendors; warming up", 0, windows));
            await WarmUpAsync(o, vendors[0], http, ct);
            var rows = new List<ServiceBenchRow>();
            foreach (var cadence in o.Cadences)
                foreach (var n in o.Targets)
                {
                    progress(new ServiceBenchProgress($"{cadence.Name}: {n} targets for {o.Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, then drain", rows.Count, windows));
                    rows.Add(await RunOneAsync(o, cadence, vendors.Take(n).ToList(), http, app.Services, ct));
                }
            return rows;
        }
        finally
        {
            foreach (var v in vendors) await v.DisposeAsync();
            if (keyId is { } id)
            {
                await using var db = new VerifierDb(VerifierDb.Options(o.ConnectionString), app.Services.GetRequiredService<VerifierSettings>().LogKey);
                await KeyStore.RevokeAsync(db, id, null, CancellationToken.None);
            }
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private static async Task<ServiceBenchRow> RunOneAsync(ServiceBenchOptions o, BenchCadence cadence, List<SimulatedVendor> vendors, HttpClient http, IServiceProvider services, CancellationToken ct)
    {
        var cron = CronSchedule.TryParse(cadence.Cron) ?? throw new ArgumentException($"cron '{cadence.Cron}' is not valid.", nameof(o));
        var sizeBefore = await TableBytesAsync(o.ConnectionString, ct);
        var claims = o.Scenario.Claims ?? new Claims();
        var targets = new List<Guid>();
        foreach (var (vendor, i) in vendors.Select((v, i) => (v, i)))
        {
            var created = await http.PostAsJsonAsync("/api/v1/targets", new
            {
                name = $"bench {cadence.Name} {vendors.Count}-{i}", kind = "openai", baseUrl = vendor.BaseUrl.ToString(), model = claims.Model,
                dialect = o.Scenario.Dialect, claimedVariant = o.Scenario.ClaimedVariant,
            }, ct);
            targets.Add((await Ok(created, ct)).GetProperty("id").GetGuid());
        }
        var since = new Dictionary<Guid, DateTimeOffset>();
        var start = DateTimeOffset.UtcNow;
        foreach (var t in targets)
        {
            object body = cadence.MaxRequests is { } max ? new { cron = cadence.Cron, budget = new { maxRequests = max } } : new { cron = cadence.Cron };
            await Ok(await http.PutAsJsonAsync($"/api/v1/targets/{t}/schedule", body, ct), ct);
            since[t] = DateTimeOffset.UtcNow; // slots after this are fires the node owes
        }
        await Task.Delay(o.Window, ct);
        var end = DateTimeOffset.UtcNow;
        // Stop the fires but keep the schedule rows until the drain is over: a fire already handed to Hangfire still
        // creates and runs its audit (a deleted schedule would make it fire nothing, and count as missed).
        var scheduling = services.GetRequiredService<Scheduling>();
        foreach (var t in targets) scheduling.Unschedule(t);
        var audits = await DrainAsync(o, targets, services.GetRequiredService<Hangfire.JobStorage>(), ct);
        foreach (var t in targets) await Ok(await http.DeleteAsync($"/api/v1/targets/{t}", ct), ct); // soft delete, schedule row gone; audits stay

        // A slot is owed when it fell after the schedule was set and early enough before the end for the scheduler (1 s polling) to fire it.
        var owedUntil = end - TimeSpan.FromSeconds(3);
        var byFire = audits.Where(a => a.IdempotencyKey?.StartsWith("schedule:", StringComparison.Ordinal) == true)
            .GroupBy(a => (a.TargetId, FireOf(a.IdempotencyKey!))).ToDictionary(g => g.Key, g => g.First());
        var lags = new List<double>(); // seconds; +inf: never started
        var onTime = 0;
        var targetsOnSchedule = 0;
        var period = double.NaN;
        foreach (var t in targets)
        {
            var all = true;
            var fires = cron.GetOccurrences(since[t], owedUntil, TimeZoneInfo.Utc, fromInclusive: false, toInclusive: true).ToList();
            foreach (var fire in fires)
            {
                var p = (cron.GetNextOccurrence(fire, TimeZoneInfo.Utc)!.Value - fire).TotalSeconds;
                period = double.IsNaN(period) ? p : Math.Max(period, p);
                var lag = byFire.TryGetValue((t, fire), out var a) && a.StartedAt is { } s ? Math.Max(0, (s - fire).TotalSeconds) : double.PositiveInfinity;
                lags.Add(lag);
                if (lag < p) onTime++;
                else all = false;
            }
            if (all && fires.Count > 0) targetsOnSchedule++;
        }
        if (double.IsNaN(period))
        {
            var next = cron.GetNextOccurrence(start, TimeZoneInfo.Utc)!.Value;
            period = (cron.GetNextOccurrence(next, TimeZoneInfo.Utc)!.Value - next).TotalSeconds;
        }
        lags.Sort();
        double? P95() => lags.Count == 0 || double.IsPositiveInfinity(lags[(int)Math.Ceiling(0.95 * lags.Count) - 1]) ? null : lags[(int)Math.Ceiling(0.95 * lags.Count) - 1];
        double? Max() => lags.Count == 0 || double.IsPositiveInfinity(lags[^1]) ? null : lags[^1];

        var completed = audits.Where(a => a.Status == AuditStatus.Completed).ToList();
        var inWindow = completed.Count(a => a.FinishedAt >= start && a.FinishedAt <= end);
        var (rowBytes, bodyBytes) = await AuditBytesAsync(o.ConnectionString, completed.Select(a => a.Id).ToArray(), ct);
        var growth = await TableBytesAsync(o.ConnectionString, ct) - sizeBefore;
        var per = Math.Max(1, completed.Count);
        return new ServiceBenchRow(cadence.Name, cadence.Cron, cadence.MaxRequests, targets.Count, period, lags.Count, onTime, targetsOnSchedule,
            P95(), Max(), completed.Count, audits.Count(a => a.Status == AuditStatus.Failed), inWindow / (end - start).TotalMinutes,
            completed.Count == 0 ? 0 : completed.Average(a => a.Requests), rowBytes / per, bodyBytes / per, growth / per);
    }

    /// <summary>
    /// One light spot check before measuring, waited for: the first audit of a process loads tokenizers and JIT-compiles
    /// the probe path, seconds that belong to start-up, not to the schedule.
    /// </summary>
    private static async Task WarmUpAsync(ServiceBenchOptions o, SimulatedVendor vendor, HttpClient http, CancellationToken ct)
    {
        var claims = o.Scenario.Claims ?? new Claims();
        var target = (await Ok(await http.PostAsJsonAsync("/api/v1/targets", new
        {
            name = "bench warm-up", kind = "openai", baseUrl = vendor.BaseUrl.ToString(), model = claims.Model, dialect = o.Scenario.Dialect, claimedVariant = o.Scenario.ClaimedVariant,
        }, ct), ct)).GetProperty("id").GetGuid();
        var audit = (await Ok(await http.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 3 } }, ct), ct)).GetProperty("id").GetGuid();
        await using (var db = new VerifierDb(VerifierDb.Options(o.ConnectionString)))
        {
            var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
            while (DateTimeOffset.UtcNow < deadline && await db.Audits.AnyAsync(a => a.Id == audit && (a.Status == AuditStatus.Queued || a.Status == AuditStatus.Running), ct))
                await Task.Delay(100, ct);
        }
        await Ok(await http.DeleteAsync($"/api/v1/targets/{target}", ct), ct);
    }

    /// <summary>Waits (up to Drain) until Hangfire holds no enqueued or running job and no audit of these targets is queued or running, then reads them all.</summary>
    private static async Task<List<AuditRow>> DrainAsync(ServiceBenchOptions o, IReadOnlyList<Guid> targets, Hangfire.JobStorage storage, CancellationToken ct)
    {
        await using var db = new VerifierDb(VerifierDb.Options(o.ConnectionString));
        var deadline = DateTimeOffset.UtcNow + o.Drain;
        var monitoring = storage.GetMonitoringApi();
        while (DateTimeOffset.UtcNow < deadline
               && (monitoring.ProcessingCount() > 0 || monitoring.Queues().Any(q => q.Length > 0)
                   || await db.Audits.AnyAsync(a => targets.Contains(a.TargetId) && (a.Status == AuditStatus.Queued || a.Status == AuditStatus.Running), ct)))
            await Task.Delay(250, ct);
        return await db.Audits.AsNoTracking().Where(a => targets.Contains(a.TargetId) && a.Trigger == AuditTrigger.Schedule).ToListAsync(ct);
    }

    private static DateTimeOffset FireOf(string key) =>
        DateTimeOffset.Parse(key["schedule:".Length..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static async Task<JsonElement> Ok(HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static async Task<long> TableBytesAsync(string cs, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(string.Join(" + ", Tables.Select(t => $"pg_total_relation_size('{t}')")).Insert(0, "SELECT "), c);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task<(long Rows, long Bodies)> AuditBytesAsync(string cs, Guid[] ids, CancellationToken ct)
    {
        if (ids.Length == 0) return (0, 0);
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT COALESCE(sum(pg_column_size(a.*)), 0) FROM audits a WHERE a.id = ANY(@ids))
                 + (SELECT COALESCE(sum(pg_column_size(e.*)), 0) FROM exchanges e WHERE e.audit_id = ANY(@ids))
                 + (SELECT COALESCE(sum(pg_column_size(v.*)), 0) FROM evidence v WHERE v.audit_id = ANY(@ids))
                 + (SELECT COALESCE(sum(pg_column_size(d.*)), 0) FROM verdicts d WHERE d.audit_id = ANY(@ids))
                 + (SELECT COALESCE(sum(pg_column_size(l.*)), 0) FROM audit_log l WHERE l.entity_type = 'audit' AND l.entity_id = ANY(@names)),
                   (SELECT COALESCE(sum(octet_length(e.request_body)::bigint + octet_length(e.response_body)), 0) FROM exchanges e WHERE e.audit_id = ANY(@ids))
            """, c);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("names", ids.Select(i => i.ToString()).ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
    }
}
