namespace Verifier.Service.Api;

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Verifier.Service.Auth;
using Verifier.Storage;

public static class KeysApi
{
    public static RouteGroupBuilder MapKeys(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/keys").WithTags("keys").RequireAuthorization(Policies.Admin);
        g.MapPost("/", Create).Validate<CreateKeyRequest>().WithName("CreateKey").WithSummary("Create a service key (returned once)");
        g.MapDelete("/{id}", Revoke).WithName("RevokeKey").WithSummary("Revoke a service key");
        return api;
    }

    private static async Task<Created<KeyCreatedDto>> Create(CreateKeyRequest body, VerifierDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var (row, key) = await KeyStore.CreateAsync(db, body.Role!, body.Name!, user.KeyId(), ct);
        return TypedResults.Created($"/api/v1/keys/{row.Id}", new KeyCreatedDto(row.Id, row.Name, row.Role, key));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Revoke(Guid id, VerifierDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        return await KeyStore.RevokeAsync(db, id, user.KeyId(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
    }
}
