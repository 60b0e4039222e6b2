namespace Verifier.Dashboard.Tests;

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// The session cookie over plain HTTP against the real nodes: one node's cookie works on the other (the key ring is
/// in PostgreSQL), a revoked key ends its session at the next request, a form POST without its antiforgery token is
/// refused, and the cookie never authorizes the JSON API.
/// </summary>
public partial class SessionTests(DashboardNodes nodes) : IClassFixture<DashboardNodes>
{
    [Fact]
    public async Task A_cookie_from_node_a_works_on_node_b_until_its_key_is_revoked()
    {
        string key;
        ApiKeyRow row;
        await using (var db = nodes.Db()) (row, key) = await KeyStore.CreateAsync(db, "viewer", "revoked later", null);
        var (client, cookies) = Client();
        var signIn = await SignInAsync(client, nodes.A, key);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = Assert.Single(cookies.GetAllCookies(), c => c.Name == "verifier.session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal("/dashboard", cookie.Path);
        Assert.Contains("samesite=strict", string.Join(';', signIn.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);

        var onB = await client.GetAsync(nodes.B.BaseUrl + "/dashboard"); // same host, other port: the browser would send it too
        Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        Assert.Contains("<h1>Targets</h1>", await onB.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using (var db = nodes.Db()) Assert.True(await KeyStore.RevokeAsync(db, row.Id, null));
        var after = await client.GetAsync(nodes.B.BaseUrl + "/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/dashboard/sign-in", after.Headers.Location!.AbsolutePath);
        Assert.DoesNotContain(cookies.GetAllCookies(), c => c.Name == "verifier.session" && !c.Expired);
    }

    [Fact]
    public async Task A_form_post_without_its_antiforgery_token_is_refused()
    {
        var (client, _) = Client();
        await SignInAsync(client, nodes.A, nodes.Keys["admin"]);
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "create-target", ["Form.Name"] = "csrf", ["Form.Kind"] = "openai", ["Form.BaseUrl"] = nodes.Vendor.BaseUrl,
            ["Form.Model"] = "m", ["Form.ClaimedVariant"] = "deepseek-r1",
        });
        var response = await client.PostAsync(nodes.A.BaseUrl + "/dashboard/admin/targets", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = nodes.Db();
        Assert.False(await db.Targets.AnyAsync(t => t.Name == "csrf"));

        var signOut = await client.PostAsync(nodes.A.BaseUrl + "/dashboard/sign-out", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode); // a cross-site page cannot sign anyone out either
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(nodes.A.BaseUrl + "/dashboard")).StatusCode);
    }

    [Fact]
    public async Task Invalid_input_is_shown_on_the_form_by_field_and_nothing_is_stored()
    {
        var (client, _) = Client();
        await SignInAsync(client, nodes.A, nodes.Keys["admin"]);
        var page = await client.GetStringAsync(nodes.A.BaseUrl + "/dashboard/admin/targets");
        var response = await client.PostAsync(nodes.A.BaseUrl + "/dashboard/admin/targets", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "create-target", ["__RequestVerificationToken"] = Token(page), ["Form.Name"] = "bad", ["Form.Kind"] = "openai",
            ["Form.BaseUrl"] = "not a url", ["Form.Model"] = "m", ["Form.ClaimedVariant"] = "gpt-5",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-field=\"baseUrl\"", html, StringComparison.Ordinal);
        Assert.Contains("data-field=\"claimedVariant\"", html, StringComparison.Ordinal);
        await using var db = nodes.Db();
        Assert.False(await db.Targets.AnyAsync(t => t.Name == "bad"));
    }

    [Fact]
    public async Task The_session_cookie_does_not_authorize_the_api()
    {
        var (client, cookies) = Client();
        await SignInAsync(client, nodes.A, nodes.Keys["admin"]);
        var cookie = cookies.GetAllCookies().Single(c => c.Name == "verifier.session");
        using var request = new HttpRequestMessage(HttpMethod.Post, nodes.A.BaseUrl + "/api/v1/keys")
        {
            Content = new StringContent("{\"role\":\"admin\",\"name\":\"csrf\"}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}"); // sent by hand: its path keeps a browser from sending it to /api
        using var bare = new HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await bare.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Wrong_keys_on_the_sign_in_form_use_up_the_failed_attempt_budget()
    {
        await using var factory = new VerifierFactory(nodes.Database, new Dictionary<string, string> { ["Verifier:Auth:FailedAttemptsPerMinute"] = "2" });
        var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Test-Client-Ip", "203.0.113.9");
        async Task<HttpResponseMessage> Attempt(string key)
        {
            var page = await client.GetStringAsync("/dashboard/sign-in");
            return await client.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "sign-in", ["__RequestVerificationToken"] = Token(page), ["Form.Key"] = key,
            }));
        }
        Assert.Equal(HttpStatusCode.OK, (await Attempt("wrong-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Attempt("wrong-2")).StatusCode);
        var blocked = await Attempt(nodes.Keys["admin"]); // even the right key waits out the window
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("Too many failed sign-in attempts", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("verifier.session", string.Join(';', blocked.Headers.TryGetValues("Set-Cookie", out var v) ? v : []), StringComparison.Ordinal);
    }

    private static (HttpClient Client, CookieContainer Cookies) Client()
    {
        var cookies = new CookieContainer();
        return (new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }), cookies);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, ServiceNode node, string key)
    {
        var page = await client.GetStringAsync(node.BaseUrl + "/dashboard/sign-in");
        return await client.PostAsync(node.BaseUrl + "/dashboard/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["__RequestVerificationToken"] = Token(page), ["Form.Key"] = key,
        }));
    }

    private static string Token(string html) => TokenField().Match(html).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
