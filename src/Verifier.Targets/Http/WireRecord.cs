namespace Verifier.Targets.Http;

/// <summary>
/// What one attempt put on the wire, filled in by <see cref="WireTap"/> as the request leaves (Refit builds it).
/// Until then it names the request that was meant: an attempt cut before sending keeps an empty body and no headers.
/// </summary>
public sealed class WireRecord(HttpMethod method, Uri url)
{
    /// <summary>The request option (Refit's [Property]) that carries the record to the handler.</summary>
    public const string Key = "verifier.wire";

    public HttpMethod Method { get; internal set; } = method;
    public Uri Url { get; internal set; } = url;
    public IReadOnlyDictionary<string, string> Headers { get; internal set; } = new Dictionary<string, string>();
    public byte[] Body { get; internal set; } = [];
}
