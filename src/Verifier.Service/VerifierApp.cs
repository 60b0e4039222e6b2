namespace Verifier.Service;

using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Verifier.Service.Api;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Service.Dashboard;
using Verifier.Service.Health;
using Verifier.Service.Http;
using Verifier.Service.Observability;
using Scalar.AspNetCore;
using Verifier.Storage;

/// <summary>The HTTP API and the clustered job server (Hangfire) in one host; `verifier serve` and the tests start it through here.</summary>
public static class VerifierApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // The framework's "Request starting" lines print raw query strings (a ?access_token= too): RequestLogging replaces them.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        configure?.Invoke(builder);
        var settings = VerifierSettings.From(builder.Configuration, builder.Environment);
        var services = builder.Services;

        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System); // every "now" of the service, so tests can move time
        services.AddSingleton(settings.LogKey);
        services.AddDbContextFactory<VerifierDb>(o => VerifierDb.Configure(o, settings.ConnectionString, settings.DbRetry));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<VerifierDb>>().CreateDbContext());
        // Outbound policy at connect time on every node (a target written on another node is checked here too), no redirects, capped headers.
        // Audits take the pooled handler (IHttpMessageHandlerFactory) and put each target's Refit client on it.
        services.AddHttpClient("targets")
            .ConfigurePrimaryHttpMessageHandler(() => Verifier.Targets.Http.TargetHttp.CreateHandler(settings.TargetNetwork));
        services.AddSingleton<TargetUrlRules>();
        // Webhooks go out under the same outbound policy as targets (connect-time check, no redirects, no proxy).
        services.AddHttpClient(Verifier.Service.Alerts.WebhookDispatcher.ClientName)
            .ConfigurePrimaryHttpMessageHandler(() => Verifier.Targets.Http.TargetHttp.CreateHandler(settings.TargetNetwork));
        services.AddSingleton(Verifier.Service.Alerts.WebhookSettings.From(builder.Configuration));
        services.AddHostedService<Verifier.Service.Alerts.WebhookDispatcher>();
        services.AddValidatorsFromAssemblyContaining<CreateTargetValidator>(ServiceLifetime.Singleton); // each validator once, by its IValidator<T>
        services.AddSingleton<AuditRunner>();
        services.AddSingleton<ActiveAudits>();
        services.AddHostedService<AuditReaper>();
        services.AddSingleton<FailedAuthLimiter>();
        services.AddJobServer(settings);

        services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.RequireRole("admin", "auditor", "viewer"))
            .AddPolicy(Policies.Audit, p => p.RequireRole("admin", "auditor"))
            .AddPolicy(Policies.Admin, p => p.RequireRole("admin"));
        services.AddDashboard(settings);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequests>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // so BadRequests can name the field
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AllowTrailingCommas = false);
        services.AddVerifierOpenApi();
        services.AddTelemetry(builder.Configuration, settings.NodeId);
        services.AddHealthChecks()
            .AddCheck<DatabaseHealth>("database", tags: ["ready"], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<SchedulerHealth>("scheduler", tags: ["ready"]);

        var app = builder.Build();
        app.UseRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodyLimit(settings.MaxBodyBytes);
        app.UseJsonBodies();
        app.UseFailedAuthLimit();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery(); // every dashboard form carries a token; a POST without one is refused

        app.MapOpenApi().RequireAuthorization(Policies.Read); // the README promises a key on everything but /health/*
        // The reference page and its scripts (shipped in the package, no CDN) sit behind the same policy as the document
        // they render: a browser sends the key as a header (a proxy or a header extension), as for /hangfire. The dashboard
        // cookie stays scoped to /dashboard on purpose: cookies authorize nothing outside its antiforgery-checked forms.
        app.MapScalarApiReference("/scalar", o => o.WithTitle("R1 Verifier API").AddPreferredSecuritySchemes(OpenApiDocumentation.SchemeName))
            .RequireAuthorization(Policies.Read)
            .Finally(e => // Scalar opens its scripts to anyone; here they need a key like the page
            {
                foreach (var open in e.Metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().ToList()) e.Metadata.Remove(open);
            });
        app.MapPrometheusScrapingEndpoint(Telemetry.MetricsPath).RequireAuthorization(Policies.Read); // any role; Prometheus sends the key as a bearer
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapGroup("/api/v1")
            .RequireAuthorization(Policies.Read) // every endpoint needs a key; writes add a stricter policy of their own
            .MapTargets()
            .MapSchedules()
            .MapLightSchedules()
            .MapSla()
            .MapWebhooks()
            .MapAudits()
            .MapAuditCancellation()
            .MapExchanges()
            .MapVerdictExport()
            .MapAuditLog()
            .MapKeys();
        app.MapJobDashboard();
        app.MapDashboard();
        return app;
    }
}
