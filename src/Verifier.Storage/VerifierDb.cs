namespace Verifier.Storage;

using Verifier.Core;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Core.AuditLog;

/// <summary>
/// EF Core over the hand-written schema in migrations/ (no EF migrations; names are snake_case). Carries the key that
/// signs the audit log's checkpoint (null where nothing is appended: appending without it throws).
/// </summary>
public sealed class VerifierDb(DbContextOptions<VerifierDb> options, AuditLogKey? logKey = null) : DbContext(options)
{
    public AuditLogKey? LogKey => logKey;

    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();
    public DbSet<TargetRow> Targets => Set<TargetRow>();
    public DbSet<ScheduleRow> Schedules => Set<ScheduleRow>();
    public DbSet<AuditRow> Audits => Set<AuditRow>();
    public DbSet<ExchangeRow> Exchanges => Set<ExchangeRow>();
    public DbSet<EvidenceRow> Evidence => Set<EvidenceRow>();
    public DbSet<VerdictRow> Verdicts => Set<VerdictRow>();
    public DbSet<ReferenceRunRow> ReferenceRuns => Set<ReferenceRunRow>();
    public DbSet<AuditLogRow> AuditLog => Set<AuditLogRow>();
    public DbSet<AuditLogHeadRow> AuditLogHead => Set<AuditLogHeadRow>();
    public DbSet<LightScheduleRow> LightSchedules => Set<LightScheduleRow>();
    public DbSet<SlaThresholdRow> SlaThresholds => Set<SlaThresholdRow>();
    public DbSet<WebhookRow> Webhooks => Set<WebhookRow>();
    public DbSet<WebhookDeliveryRow> WebhookDeliveries => Set<WebhookDeliveryRow>();
    public DbSet<WebhookAttemptRow> WebhookAttempts => Set<WebhookAttemptRow>();

    public static DbContextOptions<VerifierDb> Options(string connectionString, DbRetry? retry = null)
    {
        var builder = new DbContextOptionsBuilder<VerifierDb>();
        Configure(builder, connectionString, retry ?? DbRetry.Default);
        return builder.Options;
    }

    /// <summary>
    /// Npgsql with EF's retrying execution strategy: a statement that fails on a transient error (connection refused or
    /// dropped, admin shutdown, serialization failure…) is retried with exponential backoff. Transactions opened by
    /// the caller must run through <see cref="Transactions.InTransactionAsync{T}"/> so the whole unit is retried.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder builder, string connectionString, DbRetry retry) =>
        builder.UseNpgsql(connectionString, o => o.EnableRetryOnFailure(retry.MaxRetries, retry.MaxDelay, null));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ApiKeyRow>(e => { e.ToTable("api_keys"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<TargetRow>(e =>
        {
            e.ToTable("targets"); e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasConversion(k => StoredNames.Of(k), s => StoredNames.Parse<TargetKind>(s));
        });
        modelBuilder.Entity<ScheduleRow>(e => { e.ToTable("schedules"); e.HasKey(x => x.TargetId); e.Property(x => x.Budget).HasColumnType("jsonb"); });
        modelBuilder.Entity<AuditRow>(e =>
        {
            e.ToTable("audits"); e.HasKey(x => x.Id); e.Property(x => x.Budget).HasColumnType("jsonb");
            e.Property(x => x.Status).HasConversion(s => StoredNames.Of(s), s => StoredNames.Parse<AuditStatus>(s));
            e.Property(x => x.Trigger).HasConversion(t => StoredNames.Of(t), t => StoredNames.Parse<AuditTrigger>(t));
        });
        modelBuilder.Entity<ExchangeRow>(e =>
        {
            e.ToTable("exchanges"); e.HasKey(x => new { x.AuditId, x.Seq });
            e.Property(x => x.RequestHeaders).HasColumnType("jsonb");
            e.Property(x => x.ResponseHeaders).HasColumnType("jsonb");
        });
        modelBuilder.Entity<EvidenceRow>(e => { e.ToTable("evidence"); e.HasKey(x => new { x.AuditId, x.Ordinal }); e.Property(x => x.LogLikelihoods).HasColumnType("jsonb"); });
        modelBuilder.Entity<VerdictRow>(e =>
        {
            e.ToTable("verdicts"); e.HasKey(x => x.AuditId);
            e.Property(x => x.Posterior).HasColumnType("jsonb");
            e.Property(x => x.Result).HasColumnType("jsonb");
        });
        modelBuilder.Entity<ReferenceRunRow>(e => { e.ToTable("reference_runs"); e.HasKey(x => x.Id); e.Property(x => x.Bundle).HasColumnType("jsonb"); });
        modelBuilder.Entity<AuditLogRow>(e => { e.ToTable("audit_log"); e.HasKey(x => x.Seq); e.Property(x => x.Seq).ValueGeneratedNever(); e.Property(x => x.Data).HasColumnType("jsonb"); });
        modelBuilder.Entity<AuditLogHeadRow>(e => { e.ToTable("audit_log_head"); e.HasKey(x => x.Id); e.Property(x => x.Id).ValueGeneratedNever(); });

        modelBuilder.Entity<LightScheduleRow>(e => { e.ToTable("light_schedules"); e.HasKey(x => x.TargetId); });
        modelBuilder.Entity<SlaThresholdRow>(e => { e.ToTable("sla_thresholds"); e.HasKey(x => x.TargetId); });
        modelBuilder.Entity<WebhookRow>(e => { e.ToTable("webhooks"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<WebhookDeliveryRow>(e => { e.ToTable("webhook_deliveries"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<WebhookAttemptRow>(e => { e.ToTable("webhook_attempts"); e.HasKey(x => new { x.DeliveryId, x.Attempt }); });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

/// <summary>How often and how long database calls are retried on transient errors (about 19 s in all by default).</summary>
public sealed record DbRetry(int MaxRetries, TimeSpan MaxDelay)
{
    public static DbRetry Default { get; } = new(6, TimeSpan.FromSeconds(5));
}
