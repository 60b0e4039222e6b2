namespace Verifier.Targets.Http;

using System.Net;

/// <summary>Connection-level limits of target HTTP clients.</summary>
public sealed record TargetNetworkOptions
{
    /// <summary>Hosts the outbound policy lets through even when they resolve to internal addresses (Verifier:Targets:AllowedHosts).</summary>
    public IReadOnlyCollection<string> AllowedHosts { get; init; } = [];

    /// <summary>Largest response header block accepted, in KiB (SocketsHttpHandler.MaxResponseHeadersLength).</summary>
    public int MaxResponseHeadersKilobytes { get; init; } = 64;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>DNS lookup (tests replace it to simulate a host resolving to an internal address).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? Resolve { get; init; }
}

/// <summary>
/// The only way target connections are made (service nodes, <c>verifier audit</c>, reference recording, simulations):
/// connect-time outbound policy, redirects never followed (a redirect would walk past the URL check and the request
/// budget), no proxy (it would connect on our behalf, past the check), no automatic decompression (a compressed
/// body could expand past the response cap), bounded headers.
/// </summary>
public static class TargetHttp
{
    public static SocketsHttpHandler CreateHandler(TargetNetworkOptions? options = null)
    {
        options ??= new TargetNetworkOptions();
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = options.MaxResponseHeadersKilobytes,
            MaxResponseDrainSize = 0, // an abandoned over-cap body is not read further to reuse the connection
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = new OutboundConnector(options.AllowedHosts, options.Resolve).ConnectAsync,
        };
    }

    /// <summary>Allowed hosts from the environment as configuration binds them (Verifier__Targets__AllowedHosts, comma-separated).</summary>
    public static IReadOnlyCollection<string> AllowedHostsFromEnvironment() =>
        (Environment.GetEnvironmentVariable("Verifier__Targets__AllowedHosts") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
