-- Hangfire replaces Quartz. Hangfire's own tables live in the "hangfire" schema, which `verifier migrate` installs after
-- these scripts (Hangfire.PostgreSql's installer); Quartz's tables (created by Quartz itself, prefix qrtz_) go.
-- Schedules are carried over: every node re-registers each row of `schedules` as a Hangfire recurring job at start-up.
DROP TABLE IF EXISTS
    qrtz_fired_triggers, qrtz_paused_trigger_grps, qrtz_paused_job_grps, qrtz_scheduler_state, qrtz_locks,
    qrtz_simple_triggers, qrtz_simprop_triggers, qrtz_cron_triggers, qrtz_blob_triggers, qrtz_triggers,
    qrtz_job_details, qrtz_calendars, qrtz_job_status, qrtz_execution_history, qrtz_misfire_history
    CASCADE;

-- A schedule's cron is read in this IANA time zone (NULL: UTC).
ALTER TABLE schedules ADD COLUMN time_zone text;
