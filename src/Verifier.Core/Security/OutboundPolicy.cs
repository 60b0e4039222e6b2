namespace Verifier.Core.Security;

using System.Net;
using System.Net.Sockets;

/// <summary>
/// Refuses target URLs that would make the service call into its own network (SSRF): loopback, link-local
/// (including the 169.254.169.254 metadata address), private, carrier-grade NAT, unique-local and unspecified
/// addresses — unless the host is explicitly allowed in configuration. IPv6 addresses that embed an IPv4 address
/// (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4) are judged by the embedded address. Checked when a target is
/// written and again by the connect callback of every outbound connection (<c>OutboundConnector</c>).
/// </summary>
public static class OutboundPolicy
{
    public static string? Check(Uri url, IReadOnlyList<IPAddress> resolved, IReadOnlyCollection<string> allowedHosts)
    {
        if (url.Scheme is not ("http" or "https")) return "must be an http or https URL";
        return CheckHost(url.Host, resolved, allowedHosts);
    }

    /// <summary>Null when every resolved address of <paramref name="host"/> may be connected to, else why not.</summary>
    public static string? CheckHost(string host, IReadOnlyList<IPAddress> resolved, IReadOnlyCollection<string> allowedHosts)
    {
        if (IsAllowed(host, allowedHosts)) return null;
        if (resolved.Count == 0) return $"host '{host}' does not resolve";
        foreach (var ip in resolved)
            if (IsInternal(ip))
                return $"host '{host}' resolves to {ip}, an internal address (allow it in Verifier:Targets:AllowedHosts)";
        return null;
    }

    private static bool IsAllowed(string host, IReadOnlyCollection<string> allowedHosts)
    {
        var bare = host.Trim('[', ']');
        return allowedHosts.Any(h => string.Equals(h.Trim('[', ']'), bare, StringComparison.OrdinalIgnoreCase));
    }

    public static bool IsInternal(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && EmbeddedIPv4(ip) is { } embedded) return IsInternalV4(embedded.GetAddressBytes());
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.IPv6None)) return true;
        if (ip.AddressFamily == AddressFamily.InterNetwork) return IsInternalV4(ip.GetAddressBytes());
        if (ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6Multicast) return true;
        var b = ip.GetAddressBytes();
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1) return true; // 64:ff9b:1::/48 local-use NAT64 (RFC 8215)
        return (b[0] & 0xFE) == 0xFC; // fc00::/7 unique-local
    }

    /// <summary>
    /// The IPv4 address an IPv6 address carries: ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible; not :: or ::1),
    /// ::ffff:0:a.b.c.d (SIIT), 64:ff9b::a.b.c.d (NAT64 well-known prefix), 2002:aabb:ccdd::/48 (6to4); null otherwise.
    /// </summary>
    public static IPAddress? EmbeddedIPv4(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetworkV6) return null;
        var b = ip.GetAddressBytes();
        bool Zero(int from, int to) { for (var i = from; i < to; i++) if (b[i] != 0) return false; return true; }
        IPAddress Tail() => new(b.AsSpan(12, 4));
        if (Zero(0, 10) && b[10] == 0xff && b[11] == 0xff) return Tail();                                       // ::ffff:0:0/96
        if (Zero(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) return Tail();              // ::ffff:0:0:0/96
        if (Zero(0, 12) && !(Zero(12, 15) && b[15] <= 1)) return Tail();                                        // ::/96 except :: and ::1
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && Zero(4, 12)) return Tail();         // 64:ff9b::/96
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b.AsSpan(2, 4));                                 // 2002::/16
        return null;
    }

    private static bool IsInternalV4(byte[] b) =>
        b[0] == 10 || b[0] == 0 || b[0] == 127
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
        || (b[0] == 192 && b[1] == 168)
        || (b[0] == 169 && b[1] == 254)
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)      // 192.0.0.0/24 IETF protocol assignments
        || (b[0] == 198 && (b[1] & 0xFE) == 18)          // 198.18.0.0/15 benchmarking
        || b[0] >= 224;
}
