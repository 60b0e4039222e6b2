namespace Verifier.Service;

using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;
using Verifier.Service.Api;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Storage;

/// <summary>The HTTP API and the clustered scheduler in one host; `verifier serve` and the tests start it through here.</summary>
public static class VerifierApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = VerifierSettings.From(builder.Configuration, builder.Environment);
        var services = builder.Services;

        services.AddSingleton(settings);
        services.AddDbContextFactory<VerifierDb>(o => o.UseNpgsql(settings.ConnectionString));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<VerifierDb>>().CreateDbContext());
        // Outbound policy at connect time on every node (a target written on another node is checked here too), no redirects, capped headers.
        services.AddHttpClient("targets", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => Verifier.Targets.Http.TargetHttp.CreateHandler(settings.TargetNetwork));
        services.AddSingleton<TargetUrlRules>();
        services.AddSingleton<IValidator<CreateTargetRequest>, CreateTargetValidator>();
        services.AddSingleton<IValidator<PatchTargetRequest>, PatchTargetValidator>();
        services.AddSingleton<IValidator<ScheduleRequest>, ScheduleValidator>();
        services.AddSingleton<IValidator<CreateKeyRequest>, CreateKeyValidator>();
        services.AddSingleton<AuditRunner>();
        services.AddSingleton<Scheduling>();
        services.AddVerifierQuartz(settings.ConnectionString, settings.NodeId, settings.CheckinInterval, provision: false);
        services.AddQuartzHostedService(o => { o.WaitForJobsToComplete = true; o.AutoStart = settings.SchedulerEnabled; });

        services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.RequireRole("admin", "auditor", "viewer"))
            .AddPolicy(Policies.Audit, p => p.RequireRole("admin", "auditor"))
            .AddPolicy(Policies.Admin, p => p.RequireRole("admin"));
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequests>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so BadRequests can name the field
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AllowTrailingCommas = false);
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealth>("database", tags: ["ready"])
            .AddCheck<SchedulerHealth>("scheduler", tags: ["ready"]);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodyLimit(settings.MaxBodyBytes);
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapGroup("/api/v1")
            .MapTargets()
            .MapSchedules()
            .MapAudits()
            .MapAuditLog()
            .MapKeys();
        return app;
    }
}

public sealed class DatabaseHealth(IDbContextFactory<VerifierDb> dbs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Database.CanConnectAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("database unreachable");
    }
}

public sealed class SchedulerHealth(Scheduling scheduling) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await scheduling.IsRunningAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("scheduler not running");
}
