namespace Verifier.Service.Auth;

using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Verifier.Storage;

/// <summary>
/// "Authorization: Bearer &lt;key&gt;" checked against the hashed keys table; the key's role becomes a role claim.
/// A wrong key counts against the client's failed-attempt budget; a 401 says how to authenticate (WWW-Authenticate).
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, VerifierDb db, FailedAuthLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            failures.RecordFailure(Context);
            return AuthenticateResult.Fail("Authorization must be 'Bearer <key>'.");
        }
        var key = await KeyStore.FindActiveAsync(db, header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (key is null)
        {
            failures.RecordFailure(Context);
            return AuthenticateResult.Fail("Unknown or revoked key.");
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()), new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failed = Request.Headers.Authorization.Count > 0;
        Response.Headers.WWWAuthenticate = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        return base.HandleChallengeAsync(properties);
    }
}

public static class Policies
{
    public const string Read = "read";
    public const string Audit = "audit";
    public const string Admin = "admin";

    public static Guid? KeyId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
}
