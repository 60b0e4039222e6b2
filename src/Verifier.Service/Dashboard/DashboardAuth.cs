namespace Verifier.Service.Dashboard;

using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Verifier.Service.Auth;
using Verifier.Storage;

/// <summary>
/// The dashboard's session: a service key typed once on the sign-in page becomes an encrypted cookie carrying the
/// key's id and role (8 h, sliding). The cookie only ever reaches /dashboard (its path) and only the dashboard's
/// policies read it: the JSON API stays Bearer-only, so a cookie can never authorize an API write (CSRF). Every
/// request re-reads the key: a revoked key (or a changed role) ends its session there and then.
/// </summary>
public static class DashboardAuth
{
    public const string Scheme = "Dashboard";
    public const string Read = "dashboard-read", Audit = "dashboard-audit", Admin = "dashboard-admin";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static IServiceCollection AddDashboard(this IServiceCollection services, VerifierSettings settings)
    {
        // One key ring for all nodes (and for the antiforgery tokens too), kept in PostgreSQL.
        services.AddDataProtection().SetApplicationName("r1-verifier");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new PostgresKeyRing(settings.ConnectionString, settings.Secrets));

        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "verifier.session";
            o.Cookie.Path = "/dashboard";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the request came over HTTPS
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = "/dashboard/sign-in";
            o.AccessDeniedPath = "/dashboard/denied";
            o.ReturnUrlParameter = "returnUrl";
            o.Events.OnValidatePrincipal = EndRevokedSessionAsync;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Read, p => p.AddAuthenticationSchemes(Scheme).RequireRole("admin", "auditor", "viewer"))
            .AddPolicy(Audit, p => p.AddAuthenticationSchemes(Scheme).RequireRole("admin", "auditor"))
            .AddPolicy(Admin, p => p.AddAuthenticationSchemes(Scheme).RequireRole("admin"));
        services.AddRazorComponents();
        return services;
    }

    public static ClaimsPrincipal PrincipalFor(ApiKeyRow key) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()), new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role)], Scheme));

    private static async Task EndRevokedSessionAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.KeyId();
        var role = context.Principal?.FindFirstValue(ClaimTypes.Role);
        var db = context.HttpContext.RequestServices.GetRequiredService<VerifierDb>();
        var active = id is not null && await db.ApiKeys.AsNoTracking()
            .AnyAsync(k => k.Id == id && k.RevokedAt == null && k.Role == role, context.HttpContext.RequestAborted);
        if (active) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/dashboard")).ExcludeFromDescription();
        app.MapRazorComponents<App>();
        var g = app.MapGroup("/dashboard").ExcludeFromDescription();
        // A plain endpoint binds no form, so nothing else would check the token: without this, any site could sign a user out.
        // Authorized by the cookie so the token is checked against the signed-in user it was issued to.
        g.MapPost("/sign-out", async (HttpContext context, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
            await context.SignOutAsync(Scheme);
            return Results.Redirect("/dashboard/sign-in");
        }).DisableAntiforgery().RequireAuthorization(Read);
        // Report downloads for a signed-in browser: GET only, the API's own report code.
        g.MapGet("/audits/{id:guid}/report.{format}", (Guid id, string format, VerifierDb db, TimeProvider time, CancellationToken ct) =>
            Api.AuditsApi.Report(id, format, db, time, ct)).RequireAuthorization(Read);
        return app;
    }
}
