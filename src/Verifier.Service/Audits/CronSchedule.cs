namespace Verifier.Service.Audits;

using Cronos;

/// <summary>
/// The cron dialect of schedules, parsed exactly as Hangfire parses it (RecurringJobEntity.ParseCronExpression):
/// five fields (minute hour day-of-month month day-of-week) or six with seconds first; `?`, L, W and # as in Quartz;
/// @daily-style macros; no year field. A schedule is read in an IANA time zone, UTC when none is given.
/// </summary>
public static class CronSchedule
{
    private static readonly char[] Separators = [' ', '\t'];

    public static CronExpression? TryParse(string cron)
    {
        var format = CronFormat.Standard;
        if (!cron.StartsWith('@'))
        {
            var fields = cron.Split(Separators, StringSplitOptions.RemoveEmptyEntries).Length;
            if (fields == 6) format |= CronFormat.IncludeSeconds;
            else if (fields != 5) return null;
        }
        return CronExpression.TryParse(cron, format, out var expression) ? expression : null;
    }

    /// <summary>The zone of an IANA id (UTC for null); null for an unknown id or a Windows one, which not every node resolves.</summary>
    public static TimeZoneInfo? TryFindZone(string? id) =>
        id is null ? TimeZoneInfo.Utc
        : TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId ? zone : null;
}
