namespace Verifier.Targets.Http;

using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

/// <summary>
/// Builds the source-generated Refit client of one target over a shared handler (<see cref="TargetHttp.CreateHandler"/>
/// or the service's pooled "targets" handler, so the outbound policy runs on every connection). A client per target
/// because the base URL is the target's: a DI-registered Refit client has one fixed base address.
/// </summary>
public static class TargetApi
{
    /// <summary>
    /// Buffered: bodies go with a Content-Length (some servers refuse chunked uploads) and can be recorded as sent.
    /// snake_case without nulls is what OpenAI-compatible servers expect.
    /// </summary>
    private static readonly RefitSettings Settings = new()
    {
        Buffered = true,
        ContentSerializer = new SystemTextJsonContentSerializer(new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        }),
    };

    public static ITargetApi Create(HttpMessageHandler handler, TargetEndpoint endpoint)
    {
        // Per-attempt timeouts and the wall-time deadline are the client's own (reasoning replies can take minutes).
        var http = new HttpClient(new WireTap(handler), disposeHandler: false) { BaseAddress = endpoint.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(endpoint.ApiKey)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.ApiKey);
        return RestService.ForGenerated<ITargetApi>(http, Settings);
    }
}
