namespace Verifier.Core.Reports;

using System.Globalization;
using Verifier.Core.Exchanges;
using Verifier.Core.Sla;

/// <summary>The target's SLA figures over one named window ("24h", "7d", "30d") ending at the audit's finish.</summary>
public sealed record TargetWindow(string Window, SlaFigures Figures);

/// <summary>
/// The report's "Service levels": the audit's own exchanges, and (when the service serves the report) the target's
/// windows ending at the audit's finish, so the same audit always reports the same figures.
/// </summary>
public sealed record ServiceLevels(SlaFigures Audit, IReadOnlyList<TargetWindow> Windows)
{
    /// <summary>The audit's own figures from its exchanges (<see cref="SlaCalculator"/>), with the target's windows as given.</summary>
    public static ServiceLevels Of(IReadOnlyList<Exchange> exchanges, IReadOnlyList<TargetWindow> windows, DateTimeOffset whenEmpty)
    {
        var samples = exchanges.Select(x => new ExchangeSample(x.StartedAt, x.Duration.TotalMilliseconds, x.TimeToFirstToken?.TotalMilliseconds, x.Usage?.CompletionTokens, x.Outcome)).ToList();
        var from = samples.Count == 0 ? whenEmpty : samples.Min(s => s.At);
        var to = samples.Count == 0 ? whenEmpty : samples.Max(s => s.At).AddTicks(1); // the window is [from, to): include the last exchange
        return new ServiceLevels(SlaCalculator.Compute(samples, from, to), windows);
    }
}

/// <summary>Service figures in words, the same for Markdown and HTML: ms below a second, s with one decimal above; "no data", never NaN.</summary>
public static class ServiceLevelWording
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const string NoData = "no data";

    public static IReadOnlyList<string> Header { get; } = ["Over", "Requests", "Latency p50 / p95", "Time to first token p50 / p95", "Tokens/s", "Errors", "Timeouts", "Scheduled checks"];

    public const string Note = "Latency, time to first token and tokens/s are over delivered answers; errors and timeouts over all requests. "
        + "The target's windows end when the audit finished, so the figures do not change with the day the report is generated.";

    public static string Duration(double? ms) => ms is not { } x || !double.IsFinite(x) ? NoData
        : x < 999.5 ? Math.Round(x).ToString("0", Inv) + " ms" : (x / 1000).ToString("0.0", Inv) + " s";

    public static string Rate(double? r) => r is not { } x || !double.IsFinite(x) ? NoData : (100 * x).ToString("0.#", Inv) + " %";

    public static string Throughput(double? t) => t is not { } x || !double.IsFinite(x) ? NoData : x.ToString("0.0", Inv) + " tokens/s";

    public static string Pair(double? p50, double? p95) => p50 is null && p95 is null ? NoData : Duration(p50) + " / " + Duration(p95);

    /// <summary>"24h" → "24 h".</summary>
    public static string WindowName(string window) => window.Length > 1 && char.IsDigit(window[0]) ? window[..^1] + " " + window[^1] : window;

    public static string Checks(SlaFigures f) => f.ChecksExpected == 0 ? "none scheduled"
        : $"{f.ChecksCompleted.ToString(Inv)} of {f.ChecksExpected.ToString(Inv)} ({Rate(f.Availability)})";

    /// <summary>The table's rows: this audit first, then each target window.</summary>
    public static IReadOnlyList<string[]> Rows(ServiceLevels s) =>
        [Row("this audit's exchanges", s.Audit, "—"), .. s.Windows.Select(w => Row("the target, " + WindowName(w.Window) + " to the audit's finish", w.Figures, Checks(w.Figures)))];

    private static string[] Row(string over, SlaFigures f, string checks) =>
        [over, f.Requests.ToString(Inv), Pair(f.P50LatencyMs, f.P95LatencyMs), Pair(f.P50TtftMs, f.P95TtftMs), Throughput(f.TokensPerSecond), Rate(f.ErrorRate), Rate(f.TimeoutRate), checks];

    private static string Requests(int n) => n.ToString(Inv) + (n == 1 ? " request" : " requests");

    /// <summary>The first page's line: the shortest target window with data, else the audit's own exchanges.</summary>
    public static string Summary(ServiceLevels s)
    {
        var window = s.Windows.FirstOrDefault(w => w.Figures.Requests > 0);
        var (f, over) = window is not null ? (window.Figures, $"over {WindowName(window.Window)} to the audit's finish ({Requests(window.Figures.Requests)})")
            : (s.Audit, $"over this audit's {s.Audit.Requests.ToString(Inv)} exchanges");
        return f.Requests == 0 ? NoData : $"p95 latency {Duration(f.P95LatencyMs)}, errors {Rate(f.ErrorRate)} {over}";
    }
}
