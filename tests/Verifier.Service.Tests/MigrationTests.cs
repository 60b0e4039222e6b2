namespace Verifier.Service.Tests;

using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Verifier.Service.Audits;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// `verifier migrate` owns Hangfire's schema (servers never create it), is safe to run twice or from two nodes at once,
/// and upgrades a Quartz-era database: the qrtz_ tables go and the stored schedules come back as recurring jobs.
/// </summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private readonly TestDatabase database = new(); // not migrated: each test migrates it itself

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => database.DisposeAsync();

    private Task<long> QuartzTablesAsync() =>
        database.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'qrtz\\_%'");

    [Fact]
    public async Task Two_concurrent_migrations_install_the_hangfire_schema_and_a_third_changes_nothing()
    {
        await Task.WhenAll(Migrator.MigrateAsync(database.ConnectionString, _ => { }), Migrator.MigrateAsync(database.ConnectionString, _ => { }));
        var version = await database.ScalarAsync<int>($"SELECT max(version) FROM {HangfireSchema.Name}.schema");
        Assert.True(version >= 20, $"hangfire schema version {version}");
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{HangfireSchema.Name}' AND tablename = 'jobqueue'"));

        await Migrator.MigrateAsync(database.ConnectionString, _ => { });
        Assert.Equal(version, await database.ScalarAsync<int>($"SELECT max(version) FROM {HangfireSchema.Name}.schema"));
        Assert.Equal(0L, await QuartzTablesAsync());
    }

    [Fact]
    public async Task Upgrading_a_quartz_database_drops_its_tables_and_registers_the_stored_schedules_with_hangfire()
    {
        await using (var admin = new NpgsqlConnection(TestDatabase.Server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            new EvolveDb.Evolve(connection, _ => { })
            {
                Locations = [Migrator.MigrationsFolder], MetadataTableName = "schema_changelog", TargetVersion = new EvolveDb.Migration.MigrationVersion("2"),
            }.Migrate();
        }
        var target = Guid.NewGuid();
        await database.ExecuteAsync($"""
            CREATE TABLE qrtz_job_details (sched_name text, job_name text, job_group text, PRIMARY KEY (sched_name, job_name, job_group));
            CREATE TABLE qrtz_triggers (sched_name text, trigger_name text, trigger_group text, job_name text, job_group text,
                PRIMARY KEY (sched_name, trigger_name, trigger_group), FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details);
            CREATE TABLE qrtz_cron_triggers (sched_name text, trigger_name text, trigger_group text, cron_expression text,
                FOREIGN KEY (sched_name, trigger_name, trigger_group) REFERENCES qrtz_triggers);
            CREATE TABLE qrtz_locks (sched_name text, lock_name text);
            CREATE TABLE qrtz_scheduler_state (sched_name text, instance_name text);
            INSERT INTO targets (id, name, kind, base_url, model, claimed_variant, created_at, updated_at)
                VALUES ('{target}', 'v', 'openai', 'http://127.0.0.1:9', 'deepseek-r1', 'deepseek-r1', now(), now());
            INSERT INTO schedules (target_id, cron, created_at, updated_at) VALUES ('{target}', '0 0 3 * * ?', now(), now());
            """);

        await Migrator.MigrateAsync(database.ConnectionString, _ => { });

        Assert.Equal(0L, await QuartzTablesAsync());
        Assert.Null(await database.ScalarAsync<string>($"SELECT time_zone FROM schedules WHERE target_id = '{target}'"));
        await using var factory = new VerifierFactory(database);
        using var client = factory.CreateClient(); // starts the host
        using var connection2 = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        RecurringJobDto? job = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(30); job?.NextExecution is null && DateTime.UtcNow < deadline; await Task.Delay(200))
            job = connection2.GetRecurringJobs([Scheduling.ScheduleJobId(target)]).SingleOrDefault(j => !j.Removed);
        Assert.NotNull(job?.NextExecution);
        Assert.Equal(3, job!.NextExecution!.Value.Hour);
        Assert.Equal("0 0 3 * * ?", job.Cron);
    }
}
