namespace Verifier.Service.Tests.Faults;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// Inputs that used to answer 500: a spot check in text/plain or without a content type, charset=foo, a page whose
/// OFFSET overflows, NUL characters (PostgreSQL 22021), a cron that never fires. Each is a 4xx ProblemDetails naming
/// the problem; a seeded random walk over the API never sees a 5xx.
/// </summary>
public sealed class FuzzTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private async Task<string> TargetAsync()
    {
        var response = await f.Admin.PostAsJsonAsync("/api/v1/targets", new { name = "fuzz", kind = "openai", baseUrl = f.Vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static ByteArrayContent Body(string text, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {text}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(errors.Contains(field, StringComparer.OrdinalIgnoreCase), $"errors name {string.Join(", ", errors)}, expected {field}");
    }

    public static TheoryData<string, string, string?, string> WrongContentTypes => new()
    {
        { "/api/v1/targets/{target}/audits", "{\"budget\":{\"maxRequests\":3}}", "text/plain", "spot check as text/plain" },
        { "/api/v1/targets/{target}/audits", "{\"budget\":{\"maxRequests\":3}}", null, "spot check without a content type" },
        { "/api/v1/targets/{target}/audits", "{}", "application/json; charset=foo", "spot check in charset foo" },
        { "/api/v1/targets", "{\"name\":\"x\"}", "application/json; charset=foo", "target in charset foo" },
        { "/api/v1/targets", "name=x", "application/x-www-form-urlencoded", "form post" },
        { "/api/v1/keys", "{\"role\":\"viewer\",\"name\":\"x\"}", "text/plain", "key as text/plain" },
    };

    [Theory]
    [MemberData(nameof(WrongContentTypes))]
    public async Task A_body_that_is_not_utf8_json_is_415_naming_the_content_type(string path, string body, string? contentType, string why)
    {
        var response = await f.Admin.PostAsync(path.Replace("{target}", await TargetAsync(), StringComparison.Ordinal), Body(body, contentType));
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, why);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Fact]
    public async Task Utf8_json_with_an_explicit_charset_is_accepted()
    {
        var response = await f.Auditor.PostAsync($"/api/v1/targets/{await TargetAsync()}/audits", Body("{\"budget\":{\"maxRequests\":3}}", "application/json; charset=UTF-8"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public static TheoryData<string, string> BadPages => new()
    {
        { "/api/v1/targets?page=2147483647", "page" },
        { "/api/v1/targets?page=0", "page" },
        { "/api/v1/targets?page=-3", "page" },
        { "/api/v1/targets?pageSize=100000", "pageSize" },
        { "/api/v1/targets/{target}/audits?page=2147483647&pageSize=500", "page" },
        { "/api/v1/targets/{target}/audits?pageSize=0", "pageSize" },
    };

    [Theory]
    [MemberData(nameof(BadPages))]
    public async Task Pages_out_of_bounds_are_400_naming_the_parameter(string path, string field) =>
        await AssertProblemAsync(await f.Viewer.GetAsync(path.Replace("{target}", await TargetAsync(), StringComparison.Ordinal)), HttpStatusCode.BadRequest, field);

    [Fact]
    public async Task The_last_allowed_page_is_an_empty_page_not_an_error()
    {
        var response = await f.Viewer.GetAsync("/api/v1/targets?page=1000000&pageSize=500");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string, string, string> UnstorableText => new()
    {
        { "POST", "/api/v1/targets", "{\"name\":\"a\\u0000b\",\"kind\":\"openai\",\"baseUrl\":\"{vendor}\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "name" },
        { "POST", "/api/v1/targets", "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"{vendor}\",\"model\":\"m\\u0000\",\"claimedVariant\":\"deepseek-r1\"}", "model" },
        { "POST", "/api/v1/targets", "{\"name\":\"a\\ud800b\",\"kind\":\"openai\",\"baseUrl\":\"{vendor}\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "name" },
        { "PATCH", "/api/v1/targets/{target}", "{\"name\":\"\\u0000\"}", "name" },
        { "PATCH", "/api/v1/targets/{target}", "{\"apiKey\":\"sk-\\u0000\"}", "apiKey" },
        { "POST", "/api/v1/keys", "{\"role\":\"viewer\",\"name\":\"k\\u0000\"}", "name" },
        { "PUT", "/api/v1/targets/{target}/schedule", "{\"cron\":\"0 0 3 * * ?\\u0000\"}", "cron" },
    };

    [Theory]
    [MemberData(nameof(UnstorableText))]
    public async Task Nul_or_an_unpaired_surrogate_in_any_string_field_is_400_naming_the_field(string method, string path, string json, string field)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{target}", await TargetAsync(), StringComparison.Ordinal))
        {
            Content = Body(json.Replace("{vendor}", f.Vendor.BaseUrl, StringComparison.Ordinal), "application/json"),
        };
        await AssertProblemAsync(await f.Admin.SendAsync(request), HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("0 0 0 30 2 ?")]
    [InlineData("0 0 31 4 *")] // 31 April; a Quartz year field (7 fields) is now a format error, covered in JobsTests
    public async Task A_cron_that_never_fires_is_400_naming_cron(string cron) =>
        await AssertProblemAsync(await f.Admin.PutAsJsonAsync($"/api/v1/targets/{await TargetAsync()}/schedule", new { cron }), HttpStatusCode.BadRequest, "cron");

    [Fact]
    public async Task A_seeded_random_walk_over_the_api_never_answers_5xx()
    {
        var target = await TargetAsync();
        var random = new Random(20261202);
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
        string[] paths = ["/api/v1/targets", $"/api/v1/targets/{target}", $"/api/v1/targets/{target}/audits", $"/api/v1/targets/{target}/schedule",
            "/api/v1/audits/{guid}", "/api/v1/audits/{guid}/report", "/api/v1/audit-log", "/api/v1/keys", "/api/v1/keys/{guid}", "/api/v1/targets/%2500", "/api/v1/audit-log/checkpoint"];
        string[] queries = ["", "?page=2147483647", "?page=-1&pageSize=-1", "?pageSize=2147483647", "?after=-9223372036854775808&limit=0", "?after=9223372036854775807", "?format=%00", "?page=1e9", "?limit=99999999999"];
        string?[] contentTypes = [null, "application/json", "text/plain", "application/json; charset=foo", "application/json; charset=utf-16", "application/merge-patch+json", ";;", "application/json; charset="];
        string[] values = ["\"\"", "\"\\u0000\"", "\"\\ud800\"", "null", "-1", "2147483648", "1e400", "[]", "{}", "\"" + new string('x', 5000) + "\"", "\"0 0 0 30 2 ?\"", "\"http://10.0.0.1/\"", "\"deepseek-r1\"", "true"];
        string[] fields = ["name", "kind", "baseUrl", "model", "apiKey", "dialect", "path", "claimedVariant", "cron", "suite", "role", "budget", "maxRequests"];
        var failures = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            var method = methods[random.Next(methods.Length)];
            var path = paths[random.Next(paths.Length)].Replace("{guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal) + queries[random.Next(queries.Length)];
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH" && random.Next(4) > 0)
            {
                var body = random.Next(6) == 0
                    ? "{\"" + fields[random.Next(fields.Length)] + "\":"
                    : "{" + string.Join(',', Enumerable.Range(0, random.Next(1, 5)).Select(_ => $"\"{fields[random.Next(fields.Length)]}\":{values[random.Next(values.Length)]}")) + "}";
                request.Content = Body(body, contentTypes[random.Next(contentTypes.Length)]);
            }
            var client = random.Next(3) switch { 0 => f.Admin, 1 => f.Auditor, _ => f.Viewer };
            var response = await client.SendAsync(request);
            if ((int)response.StatusCode >= 500) failures.Add($"{method} {path} {request.Content?.Headers.ContentType}: {(int)response.StatusCode}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }
}
