namespace Verifier.Service.Auth;

using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Verifier.Storage;

/// <summary>"Authorization: Bearer &lt;key&gt;" checked against the hashed keys table; the key's role becomes a role claim.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, VerifierDb db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Authorization must be 'Bearer <key>'.");
        var key = await KeyStore.FindActiveAsync(db, header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Unknown or revoked key.");
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()), new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
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
