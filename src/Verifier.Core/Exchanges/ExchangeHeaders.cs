namespace Verifier.Core.Exchanges;

/// <summary>
/// Headers of a stored exchange as shown to people (API, reports): credentials are already redacted when stored; these
/// are dropped altogether here too, so a value stored by an older build or another executor can never be shown.
/// </summary>
public static class ExchangeHeaders
{
    private static readonly HashSet<string> Secret = new(
        ["Authorization", "Proxy-Authorization", "api-key", "x-api-key", "Cookie", "Set-Cookie", "x-goog-api-key", "anthropic-api-key"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>Known credential headers, and any named like one (…-key, …-token, …secret…).</summary>
    public static bool IsSecret(string name) => Secret.Contains(name) || name.EndsWith("-key", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("-token", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, string> Shown(IReadOnlyDictionary<string, string> headers) =>
        headers.Where(h => !IsSecret(h.Key)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
}
