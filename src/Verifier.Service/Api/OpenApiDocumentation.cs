namespace Verifier.Service.Api;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Verifier.Service.Auth;

/// <summary>
/// The OpenAPI document (GET /openapi/v1.json) a generated client can use: the Bearer scheme, and on every operation
/// the answers the middleware gives whatever the endpoint declares — 401/429 where a key is needed, 403 where a role
/// is, 400 where there is input, 404 where the route names a resource, 415 where there is a body. Derived from each
/// endpoint's metadata, so an endpoint added later gets them too; operation ids and summaries come from the endpoints
/// themselves (<c>.WithName</c>, <c>.WithSummary</c>).
/// </summary>
public static class OpenApiDocumentation
{
    public const string SchemeName = "Bearer";
    private const string ProblemJson = "application/problem+json";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["targets"] = "Endpoints (or local ONNX models) to audit, with the variant their vendor claims.",
        ["schedules"] = "Recurring audits of a target (cron + IANA time zone).",
        ["audits"] = "Spot checks, audit results with evidence, reports.",
        ["audit-log"] = "The hash-chained, signed log of every write.",
        ["keys"] = "Service keys and their roles.",
    };

    public static IServiceCollection AddVerifierOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer(DescribeDocumentAsync);
        o.AddOperationTransformer(DescribeOperation);
    });

    private static async Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "R1 Verifier API";
        document.Info.Description = "Audits which DeepSeek-R1 variant is behind an OpenAI-compatible endpoint and keeps the evidence. " +
            "Every operation needs a service key: `Authorization: Bearer <key>` (`verifier keys create`).";
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A service key of role admin, auditor or viewer, as created by `verifier keys create` or POST /api/v1/keys.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, type) in new[] { ("ProblemDetails", typeof(ProblemDetails)), ("HttpValidationProblemDetails", typeof(HttpValidationProblemDetails)) })
            if (!document.Components.Schemas.ContainsKey(name)) document.Components.Schemas[name] = await context.GetOrCreateSchemaAsync(type, null, ct);
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description)) tag.Description ??= description;
    }

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        var responses = operation.Responses ??= [];
        var document = context.Document!;

        var hasInput = description.ParameterDescriptions.Any(p => p.Source == BindingSource.Path || p.Source == BindingSource.Query
            || p.Source == BindingSource.Header || p.Source == BindingSource.Body || p.Source == BindingSource.Form) || operation.RequestBody is not null;
        if (hasInput) Declare(responses, "400", "Invalid input; `errors` names each field.", document, "HttpValidationProblemDetails");
        if (description.RelativePath?.Contains('{', StringComparison.Ordinal) == true) Declare(responses, "404", "No such resource.", document);
        if (operation.RequestBody is not null) Declare(responses, "415", "The body is not `application/json` in UTF-8.", document, "HttpValidationProblemDetails");

        if (authorize.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
            Declare(responses, "401", "No key, or an unknown or revoked one (`WWW-Authenticate: Bearer`).", document);
            // Read admits every role; any other policy or role list can refuse a valid key.
            if (authorize.Any(a => (a.Policy is not null && a.Policy != Policies.Read) || !string.IsNullOrEmpty(a.Roles)))
                Declare(responses, "403", "The key's role may not do this.", document);
            Declare(responses, "429", "Too many failed keys from this client address; see `Retry-After`.", document);
        }
        return Task.CompletedTask;
    }

    /// <summary>A problem+json answer for the status, added when missing; an existing one without a body gets the body the middleware writes.</summary>
    private static void Declare(OpenApiResponses responses, string status, string text, OpenApiDocument document, string schema = "ProblemDetails")
    {
        if (responses.TryGetValue(status, out var existing))
        {
            if (existing is OpenApiResponse { Content: null or { Count: 0 } } bare)
                bare.Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(schema, document) } };
            return;
        }
        responses[status] = new OpenApiResponse
        {
            Description = text,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = new OpenApiSchemaReference(schema, document) } },
        };
    }
}
