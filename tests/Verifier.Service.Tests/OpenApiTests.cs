namespace Verifier.Service.Tests;

using System.Net;
using System.Text.Json;

/// <summary>
/// The OpenAPI document is usable by a generated client: every operation has an id, a summary, the Bearer security
/// requirement and its 401; the reference page (Scalar) renders it, behind a key like the document.
/// </summary>
public class OpenApiTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    [Fact]
    public async Task Every_operation_has_an_id_a_summary_the_bearer_requirement_and_its_error_answers()
    {
        using var document = JsonDocument.Parse(await f.Viewer.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var problems = new List<string>();
        var ids = new List<string>();
        var operations = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                operations++;
                var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
                var o = op.Value;
                if (o.TryGetProperty("operationId", out var id) && id.GetString() is { Length: > 0 } text) ids.Add(text); else problems.Add($"{name}: no operationId");
                if (!o.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString())) problems.Add($"{name}: no summary");
                if (!o.TryGetProperty("security", out var security) || !security.EnumerateArray().Any(r => r.TryGetProperty("Bearer", out _))) problems.Add($"{name}: no Bearer requirement");
                var responses = o.GetProperty("responses");
                foreach (var status in new[] { "401", "429" })
                    if (!responses.TryGetProperty(status, out _)) problems.Add($"{name}: no {status} response");
                if (path.Name.Contains('{', StringComparison.Ordinal) && !responses.TryGetProperty("404", out _)) problems.Add($"{name}: no 404 response");
                if (o.TryGetProperty("requestBody", out _) && !responses.TryGetProperty("400", out _)) problems.Add($"{name}: no 400 response");
            }
        Assert.True(operations >= 16, $"only {operations} operations");
        Assert.Empty(problems);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // role-restricted operations say so; read-only ones do not invent a 403
        var paths = root.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/v1/targets").GetProperty("post").GetProperty("responses").TryGetProperty("403", out _));
        Assert.False(paths.GetProperty("/api/v1/targets").GetProperty("get").GetProperty("responses").TryGetProperty("403", out _));
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails",
            paths.GetProperty("/api/v1/targets").GetProperty("post").GetProperty("responses").GetProperty("400").GetProperty("content")
                .GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(root.GetProperty("components").GetProperty("schemas").TryGetProperty("ProblemDetails", out _));
    }

    [Fact]
    public async Task The_reference_page_renders_the_document_behind_a_key_and_works_offline()
    {
        var page = await f.Viewer.GetAsync("/scalar/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal); // scripts from the package, not a CDN
        Assert.Equal(HttpStatusCode.OK, (await f.Viewer.GetAsync("/scalar/scalar.js")).StatusCode);

        using var anonymous = f.Factory.CreateClient();
        foreach (var path in new[] { "/scalar", "/scalar/", "/scalar/scalar.js", "/openapi/v1.json" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
    }
}
