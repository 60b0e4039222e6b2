namespace Verifier.Core.Alerts;

using System.Security.Cryptography;
using System.Text;

/// <summary>
/// X-Verifier-Signature: "sha256=" + lower-case hex of HMAC-SHA256(secret, "{timestamp}.{body}"), timestamp being the
/// X-Verifier-Timestamp header (unix seconds). Signing the timestamp with the body lets a receiver refuse replays of an
/// old delivery (compare the timestamp with its clock) without trusting an unsigned header.
/// </summary>
public static class WebhookSignature
{
    public const string Prefix = "sha256=";

    public static string Sign(string secret, long timestamp, string body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>Constant-time check of a received signature header, and that the timestamp is within tolerance of now.</summary>
    public static bool Verify(string secret, string? timestampHeader, string body, string? signatureHeader, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ts)) return false;
        if (signatureHeader is null || Math.Abs(now.ToUnixTimeSeconds() - ts) > tolerance.TotalSeconds) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, ts, body)), Encoding.ASCII.GetBytes(signatureHeader));
    }

    /// <summary>A new secret for a webhook created without one: 32 random bytes, base64url, prefixed so it is recognisable in a vault.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
