namespace Verifier.Targets.Http;

using System.Net.Http.Headers;

/// <summary>
/// Copies each request into its <see cref="WireRecord"/> as it leaves: method, URL, headers (credentials redacted)
/// and the body bytes exactly as sent (bodies are buffered, see <see cref="TargetApi"/>, so reading them
/// here does not consume them).
/// </summary>
internal sealed class WireTap(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const string Redacted = "[redacted]";
    private static readonly HashSet<string> SecretHeaders = new(["Authorization", "Proxy-Authorization", "api-key", "x-api-key", "Cookie"], StringComparer.OrdinalIgnoreCase);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(new HttpRequestOptionsKey<WireRecord>(WireRecord.Key), out var wire))
        {
            wire.Method = request.Method;
            wire.Url = request.RequestUri ?? wire.Url;
            // Only a body of known length is copied: reading a streamed one here would buffer it, changing what is sent.
            wire.Body = request.Content is { Headers.ContentLength: not null } content ? await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false) : [];
            wire.Headers = Headers(request.Headers, request.Content?.Headers);
        }
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public static Dictionary<string, string> Headers(HttpHeaders headers, HttpHeaders? content)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in headers) d[k] = SecretHeaders.Contains(k) ? Redacted : string.Join(", ", v);
        if (content is not null) foreach (var (k, v) in content) d[k] = string.Join(", ", v);
        return d;
    }
}
