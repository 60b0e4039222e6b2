namespace Verifier.Core.Tests.Audits;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Verifier.Core.Audits;
using static Verifier.Core.Tests.Audits.Sim;

/// <summary>
/// The engine emits one span per probe (id, category, outcome; no prompt) under the caller's span, and one latency
/// measurement per exchange. Other tests run audits in parallel: only spans and measurements of this test's trace count.
/// </summary>
public class AuditTelemetryTests
{
    [Fact]
    public async Task Each_probe_is_a_span_and_each_exchange_a_latency_measurement()
    {
        using var testSource = new ActivitySource("Verifier.Core.Tests.Telemetry");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is AuditTelemetry.SourceName || s == testSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var parent = testSource.StartActivity("audit")!;
        var trace = parent.TraceId;
        var latencies = new ConcurrentQueue<(double Seconds, string? Outcome)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == AuditTelemetry.MeterName && instrument.Name == "verifier.exchange.duration") l.EnableMeasurementEvents(instrument); },
        };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (Activity.Current?.TraceId != trace) return;
            string? outcome = null;
            foreach (var tag in tags) if (tag.Key == "outcome") outcome = tag.Value as string;
            latencies.Enqueue((value, outcome));
        });
        meters.Start();

        var result = await AuditEngine.RunAsync(Plan("deepseek-r1", Candidates(10, 6, 3), 12), Executor([new("r1-distill-qwen-7b", "bf16", 1)], new Random(3)));
        parent.Stop();

        var probeSpans = spans.Where(s => s.TraceId == trace && s.OperationName == "probe").ToList();
        Assert.Equal(result.Probes.Select(p => p.ProbeId), probeSpans.Select(s => s.GetTagItem("verifier.probe.id") as string));
        Assert.All(probeSpans, s => Assert.Equal(parent.SpanId, s.ParentSpanId));
        Assert.All(probeSpans, s => Assert.False(string.IsNullOrEmpty(s.GetTagItem("verifier.probe.outcome") as string)));
        Assert.Equal(result.Exchanges.Count, latencies.Count);
        Assert.All(latencies, l => Assert.Equal((0.01, "ok"), l));
    }
}
