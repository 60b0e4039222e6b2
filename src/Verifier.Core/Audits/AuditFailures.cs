namespace Verifier.Core.Audits;

using System.Globalization;
using Verifier.Core.Exchanges;

/// <summary>Says plainly why an audit got no usable response: what every attempt ended in, most frequent first.</summary>
public static class AuditFailures
{
    public static string Describe(IReadOnlyList<Exchange> exchanges, int probesRun)
    {
        if (exchanges.Count == 0)
            return probesRun == 0 ? "no request was sent (no affordable probe)" : "no request was sent (budget exhausted or the executor failed before sending)";
        var kinds = exchanges
            .GroupBy(Kind)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ×{g.Count()}"));
        return string.Create(CultureInfo.InvariantCulture, $"every request failed ({exchanges.Count} attempts, none delivered): {string.Join(", ", kinds)}");
    }

    private static string Kind(Exchange e) => e.Outcome switch
    {
        ExchangeOutcome.HttpError when e.StatusCode >= 500 => $"{e.StatusCode} from vendor (5xx)",
        ExchangeOutcome.HttpError => $"HTTP {e.StatusCode} from vendor",
        _ => e.Error is { Length: > 0 } error ? $"{e.Outcome}: {Shorten(error)}" : e.Outcome.ToString(),
    };

    private static string Shorten(string error)
    {
        // "after 1.234 s in this attempt" and similar numbers would split one failure into many groups.
        var cut = error.IndexOf(" after ", StringComparison.Ordinal);
        return cut > 0 ? error[..cut] : error;
    }
}
