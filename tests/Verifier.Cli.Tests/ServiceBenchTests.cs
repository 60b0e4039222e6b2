namespace Verifier.Cli.Tests;

using Verifier.Cli.Commands;
using Verifier.Core.Catalog;
using Verifier.Simulator;

/// <summary>`bench service` at a tiny size: one target, a 3-second cron, both cadences, a real node on a fresh database.</summary>
public sealed class ServiceBenchTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task A_tiny_run_measures_lag_throughput_and_bytes_from_the_audits_it_scheduled()
    {
        var scenario = Scenario.Load(Path.Combine(ProbeFiles.Root, "scenarios", "honest-deepseek-r1.json"));
        var options = new ServiceBenchOptions(database.ConnectionString, [1],
            [new BenchCadence("light", "*/3 * * * * *", 4, Light: true), new BenchCadence("full", "*/3 * * * * *", null)],
            TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(30), scenario);
        var rows = await ServiceBench.RunAsync(options, _ => { }, CancellationToken.None);

        Assert.Equal(["light", "full"], rows.Select(r => r.Cadence));
        foreach (var r in rows)
        {
            Assert.Equal(1, r.Targets);
            Assert.Equal(3, r.PeriodSeconds);
            Assert.InRange(r.Fires, 1, 2); // slots of a 3 s cron owed within a 7 s window (the last 3 s excepted)
            Assert.InRange(r.Completed, 1, 4);
            Assert.Equal(0, r.Failed);
            // A slot the scheduler skipped (a loaded machine, a 3 s period) never starts: its lag is infinite, p95 null.
            if (r.P95LagSeconds is { } p95) Assert.True(p95 >= 0 && r.MaxLagSeconds >= p95, $"{r.Cadence}: p95 {p95}, max {r.MaxLagSeconds}");
            else Assert.True(r.FiresOnTime < r.Fires, $"{r.Cadence}: no p95 lag although every fire started on time");
            Assert.InRange(r.FiresOnTime, 0, r.Fires);
            Assert.True(r.AuditsPerMinute >= 0);
            Assert.True(r.BytesPerAudit > 0 && r.BodyBytesPerAudit > 0, $"{r.Cadence}: {r.BytesPerAudit} / {r.BodyBytesPerAudit}");
        }
        var (light, full) = (rows[0], rows[1]);
        Assert.InRange(light.MeanRequests, 1, 4); // the light plan: a tokenizer pair and a sample, one retry spare
        Assert.True(full.MeanRequests > 3, $"full audits made {full.MeanRequests} requests");
        Assert.True(full.BodyBytesPerAudit > light.BodyBytesPerAudit);

        // The figures come from the audits table: every scheduled audit is keyed by its fire and started after it.
        var scheduled = await database.ScalarAsync<long>("SELECT count(*) FROM audits WHERE (trigger = 'schedule' AND idempotency_key LIKE 'schedule:%') OR (trigger = 'light' AND idempotency_key LIKE 'light:%')");
        Assert.Equal(rows.Sum(r => r.Completed), scheduled);
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM audits WHERE trigger IN ('schedule', 'light') AND started_at < substr(idempotency_key, strpos(idempotency_key, ':') + 1)::timestamptz"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM schedules")); // nothing left firing
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM light_schedules"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL")); // its admin key is revoked
    }
}
