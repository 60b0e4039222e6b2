namespace Verifier.Storage;

using Microsoft.EntityFrameworkCore;

/// <summary>EF Core over the hand-written schema in migrations/ (no EF migrations; names are snake_case).</summary>
public sealed class VerifierDb(DbContextOptions<VerifierDb> options) : DbContext(options)
{
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();
    public DbSet<TargetRow> Targets => Set<TargetRow>();
    public DbSet<ScheduleRow> Schedules => Set<ScheduleRow>();
    public DbSet<AuditRow> Audits => Set<AuditRow>();
    public DbSet<ObservationRow> Observations => Set<ObservationRow>();
    public DbSet<EvidenceRow> Evidence => Set<EvidenceRow>();
    public DbSet<VerdictRow> Verdicts => Set<VerdictRow>();
    public DbSet<ReferenceRunRow> ReferenceRuns => Set<ReferenceRunRow>();
    public DbSet<AuditLogRow> AuditLog => Set<AuditLogRow>();

    public static DbContextOptions<VerifierDb> Options(string connectionString) =>
        new DbContextOptionsBuilder<VerifierDb>().UseNpgsql(connectionString).Options;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ApiKeyRow>(e => { e.ToTable("api_keys"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<TargetRow>(e => { e.ToTable("targets"); e.HasKey(x => x.Id); });
        modelBuilder.Entity<ScheduleRow>(e => { e.ToTable("schedules"); e.HasKey(x => x.TargetId); e.Property(x => x.Budget).HasColumnType("jsonb"); });
        modelBuilder.Entity<AuditRow>(e => { e.ToTable("audits"); e.HasKey(x => x.Id); e.Property(x => x.Budget).HasColumnType("jsonb"); });
        modelBuilder.Entity<ObservationRow>(e =>
        {
            e.ToTable("observations"); e.HasKey(x => new { x.AuditId, x.Seq });
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

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
