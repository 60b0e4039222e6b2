namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Verifier.Service.Audits;

/// <summary>
/// Hangfire delivers at least once: a job delivered again (a retry, a re-delivery after a node died) must find its audit
/// already taken. The dashboard is for admin keys only; schedules take a 5- or 6-field cron and an IANA time zone.
/// </summary>
public class JobsTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private IServiceProvider Services => f.Factory.Services;
    private JobStorage Storage => Services.GetRequiredService<JobStorage>();

    private async Task<Guid> TargetAsync()
    {
        var response = await f.Admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = f.Vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task WaitSucceededAsync(string jobId, int times)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Storage.GetMonitoringApi().JobDetails(jobId).History.Count(h => h.StateName == "Succeeded") < times && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Equal(times, Storage.GetMonitoringApi().JobDetails(jobId).History.Count(h => h.StateName == "Succeeded"));
    }

    [Fact]
    public async Task The_dashboard_answers_admins_only()
    {
        using var anonymous = f.Factory.CreateClient();
        foreach (var path in new[] { "/hangfire", "/hangfire/recurring", "/hangfire/jobs/enqueued" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await f.Auditor.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.GetAsync(path)).StatusCode);
            var admin = await f.Admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
            Assert.Contains("R1 Verifier jobs", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_scheduled_fire_delivered_twice_stores_one_audit_keyed_by_its_fire_time()
    {
        var target = await TargetAsync();
        var put = await f.Admin.PutAsJsonAsync($"/api/v1/targets/{target}/schedule", new { cron = "0 0 3 1 1 *", budget = new { maxRequests = 4 } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Services.GetRequiredService<IRecurringJobManager>().Trigger(Scheduling.ScheduleJobId(target)); // a fire now
        using var connection = Storage.GetConnection();
        var jobId = connection.GetRecurringJobs([Scheduling.ScheduleJobId(target)]).Single().LastJobId;
        await WaitSucceededAsync(jobId, 1);

        Services.GetRequiredService<IBackgroundJobClient>().Requeue(jobId); // the same job, delivered again
        await WaitSucceededAsync(jobId, 2);

        var fire = DateTimeOffset.FromUnixTimeSeconds(long.Parse(connection.GetJobParameter(jobId, "Time"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM audits WHERE target_id = '{target}'"));
        Assert.Equal("schedule:" + fire.UtcDateTime.ToString("O"), await f.Database.ScalarAsync<string>($"SELECT idempotency_key FROM audits WHERE target_id = '{target}'"));
        Assert.Equal("completed", await f.Database.ScalarAsync<string>($"SELECT status FROM audits WHERE target_id = '{target}'"));
        Assert.Equal(1, await f.Database.ScalarAsync<int>($"SELECT attempts FROM audits WHERE target_id = '{target}'"));
    }

    [Fact]
    public async Task A_spot_check_delivered_again_after_it_completed_runs_nothing()
    {
        var target = await TargetAsync();
        var accepted = await f.Auditor.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 4 } });
        var id = Guid.Parse(accepted.Headers.Location!.ToString().Split('/')[^1]);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await f.Database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{id}'") != "completed" && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        var observations = await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{id}'");

        await WaitSucceededAsync(Services.GetRequiredService<Scheduling>().EnqueueAudit(id), 1);

        Assert.Equal(1, await f.Database.ScalarAsync<int>($"SELECT attempts FROM audits WHERE id = '{id}'"));
        Assert.Equal(1L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id = '{id}' AND action = 'audit.started'"));
        Assert.Equal(observations, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{id}'"));
    }

    [Fact]
    public async Task A_redelivered_job_never_takes_an_audit_past_its_last_attempt()
    {
        var target = await TargetAsync();
        var id = Guid.NewGuid(); // abandoned on its third and last attempt (MaxAttempts 3): only the reaper may end it
        await f.Database.ExecuteAsync($"""
            INSERT INTO audits (id, target_id, status, trigger, claimed_variant, budget, node_id, attempts, created_at, started_at, heartbeat_at)
            VALUES ('{id}', '{target}', 'running', 'spot', 'deepseek-r1', '{"{"}"maxRequests":3{"}"}', 'dead-node', 3, now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour')
            """);

        await ActivatorUtilities.CreateInstance<AuditJobs>(Services).RunAsync(id, CancellationToken.None);

        Assert.Equal(3, await f.Database.ScalarAsync<int>($"SELECT attempts FROM audits WHERE id = '{id}'"));
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id = '{id}' AND action = 'audit.started'"));
    }

    [Fact]
    public async Task A_schedule_reads_its_cron_in_its_time_zone()
    {
        var target = await TargetAsync();
        var put = await f.Admin.PutAsJsonAsync($"/api/v1/targets/{target}/schedule", new { cron = "30 3 * * *", timeZone = "America/New_York" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var schedule = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("America/New_York", schedule.GetProperty("timeZone").GetString());
        var next = schedule.GetProperty("nextFireUtc").GetDateTimeOffset().UtcDateTime;
        Assert.Equal(TimeZoneInfo.ConvertTimeFromUtc(next, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).TimeOfDay, new TimeSpan(3, 30, 0));
        Assert.InRange(next - DateTime.UtcNow, TimeSpan.Zero, TimeSpan.FromHours(25));

        var utc = await (await f.Admin.PutAsJsonAsync($"/api/v1/targets/{target}/schedule", new { cron = "30 3 * * *" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("UTC", utc.GetProperty("timeZone").GetString());
        Assert.Equal(new TimeSpan(3, 30, 0), utc.GetProperty("nextFireUtc").GetDateTimeOffset().UtcDateTime.TimeOfDay);
    }

    [Theory]
    [InlineData("{\"cron\":\"0 3 * * *\",\"timeZone\":\"Mars/Olympus_Mons\"}", "timeZone")]
    [InlineData("{\"cron\":\"0 3 * * *\",\"timeZone\":\"Eastern Standard Time\"}", "timeZone")]
    [InlineData("{\"cron\":\"0 0 30 2 *\"}", "cron")]
    [InlineData("{\"cron\":\"0 0 3 * * ? 2030\"}", "cron")]
    [InlineData("{\"cron\":\"3 * *\"}", "cron")]
    public async Task A_bad_time_zone_or_cron_is_400_naming_the_field(string json, string field)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        var response = await f.Admin.PutAsync($"/api/v1/targets/{await TargetAsync()}/schedule", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }
}
