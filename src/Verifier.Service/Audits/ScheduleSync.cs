namespace Verifier.Service.Audits;

using Microsoft.EntityFrameworkCore;
using Verifier.Storage;

/// <summary>
/// At start-up every node registers each stored schedule as its Hangfire recurring job (idempotent: an unchanged job is
/// not rewritten, so a missed fire is still caught up). This carries schedules over from Quartz, whose tables are gone,
/// and restores a recurring job lost with its storage. A cron Hangfire cannot read (a Quartz year field) is logged and
/// skipped: that schedule shows no next fire until it is PUT again.
/// </summary>
public sealed class ScheduleSync(IDbContextFactory<VerifierDb> dbs, Scheduling scheduling, ILogger<ScheduleSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks)))
        {
            try
            {
                await SyncAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Schedules not registered with Hangfire yet ({Reason}); retrying in {Delay}", e.GetType().Name, delay);
            }
            await Task.Delay(delay, stoppingToken);
        }
    }

    public async Task SyncAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        foreach (var row in await db.Schedules.AsNoTracking().ToListAsync(ct))
        {
            if (CronSchedule.TryParse(row.Cron) is null || CronSchedule.TryFindZone(row.TimeZone) is not { } zone)
            {
                log.LogError("Schedule of target {TargetId} not registered: cron '{Cron}' ({TimeZone}) is not valid for Hangfire; PUT it again", row.TargetId, row.Cron, row.TimeZone ?? "UTC");
                continue;
            }
            scheduling.ScheduleTarget(row.TargetId, row.Cron, zone);
        }
        foreach (var row in await db.LightSchedules.AsNoTracking().ToListAsync(ct))
        {
            if (CronSchedule.TryParse(row.Cron) is null || CronSchedule.TryFindZone(row.TimeZone) is not { } zone)
            {
                log.LogError("Light schedule of target {TargetId} not registered: cron '{Cron}' ({TimeZone}) is not valid for Hangfire; PUT it again", row.TargetId, row.Cron, row.TimeZone ?? "UTC");
                continue;
            }
            scheduling.ScheduleLight(row.TargetId, row.Cron, zone);
        }
    }
}
