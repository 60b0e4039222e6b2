namespace Verifier.Core.Audits;

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Verifier.Core.Exchanges;

/// <summary>
/// Spans and metrics of audits, on the BCL's <see cref="ActivitySource"/> and <see cref="Meter"/> so Core needs no
/// telemetry package: the service's OpenTelemetry set-up listens to <see cref="SourceName"/> and <see cref="MeterName"/>.
/// Tags carry ids, kinds and outcomes only — never a key, a prompt or a response body.
/// </summary>
public static class AuditTelemetry
{
    public const string SourceName = "Verifier.Audits";
    public const string MeterName = "Verifier";

    public static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(MeterName);

    // Vendor latencies run from tens of milliseconds to minutes (long reasoning answers): the default millisecond buckets would not fit seconds.
    private static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    public static readonly Counter<long> AuditsCompleted = Meter.CreateCounter<long>("verifier.audits.completed", "{audit}",
        "Audits that reached a terminal state, by verdict kind, trigger and status.");

    public static readonly Histogram<double> AuditDuration = Meter.CreateHistogram("verifier.audit.duration", "s",
        "Wall time of an audit run, claim to stored result.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Histogram<double> ExchangeDuration = Meter.CreateHistogram("verifier.exchange.duration", "s",
        "Duration of one request to a target (one attempt), by outcome.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram("verifier.exchange.time_to_first_token", "s",
        "Time to the first streamed token of one request to a target.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Counter<long> ExchangesFailed = Meter.CreateCounter<long>("verifier.exchanges.failed", "{exchange}",
        "Requests to a target that did not end in a usable answer, by outcome.");

    public static readonly Counter<long> ExchangesRetried = Meter.CreateCounter<long>("verifier.exchanges.retried", "{exchange}",
        "Requests to a target that were a retry of an earlier attempt.");

    /// <summary>Latency, time to first token, failures and retries of the exchanges one probe produced.</summary>
    public static void RecordExchanges(IEnumerable<Exchange> exchanges)
    {
        foreach (var e in exchanges)
        {
            var outcome = new KeyValuePair<string, object?>("outcome", StoredNames.Of(e.Outcome));
            ExchangeDuration.Record(e.Duration.TotalSeconds, outcome);
            if (e.TimeToFirstToken is { } ttft) TimeToFirstToken.Record(ttft.TotalSeconds, outcome);
            if (e.Outcome != ExchangeOutcome.Ok) ExchangesFailed.Add(1, outcome);
            if (e.Attempt > 1) ExchangesRetried.Add(1);
        }
    }
}
