namespace Verifier.Core.Security;

using System.Net;
using System.Net.Sockets;

/// <summary>
/// Refuses target URLs that would make the service call into its own network (SSRF): loopback, link-local
/// (including the 169.254.169.254 metadata address), private, carrier-grade NAT, unique-local and unspecified
/// addresses — unless the host is explicitly allowed in configuration.
/// </summary>
public static class OutboundPolicy
{
    public static string? Check(Uri url, IReadOnlyList<IPAddress> resolved, IReadOnlyCollection<string> allowedHosts)
    {
        if (url.Scheme is not ("http" or "https")) return "must be an http or https URL";
        if (allowedHosts.Contains(url.Host, StringComparer.OrdinalIgnoreCase)) return null;
        if (resolved.Count == 0) return $"host '{url.Host}' does not resolve";
        foreach (var ip in resolved)
            if (IsInternal(ip))
                return $"host '{url.Host}' resolves to {ip}, an internal address (allow it in Verifier:Targets:AllowedHosts)";
        return null;
    }

    public static bool IsInternal(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.IPv6None)) return true;
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || b[0] == 127
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || b[0] >= 224;
        }
        if (ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6Multicast) return true;
        var first = ip.GetAddressBytes()[0];
        return (first & 0xFE) == 0xFC; // fc00::/7 unique-local
    }
}
