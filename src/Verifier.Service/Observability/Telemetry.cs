namespace Verifier.Service.Observability;

using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Verifier.Core.Audits;

/// <summary>
/// OpenTelemetry for the node: metrics of ASP.NET Core, HttpClient, the runtime and the audits (<see cref="AuditTelemetry"/>),
/// scraped at /metrics; traces (requests, audits, probes, vendor calls) and metrics also pushed over OTLP when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the OTEL_EXPORTER_OTLP_* variables itself).
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration, string nodeId)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("verifier", serviceInstanceId: nodeId))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                    .AddMeter(AuditTelemetry.MeterName)
                    .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            });
        // Spans have no other reader than OTLP: without an endpoint none are recorded at all.
        if (otlp)
            telemetry.WithTracing(t => t.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation()
                .AddSource(AuditTelemetry.SourceName)
                .AddOtlpExporter());
        return services;
    }
}
