namespace Verifier.Core.Quality;

using System.Globalization;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.References;

public enum QualityStatus { AsReference, Degraded, Insufficient }

/// <summary>
/// The second verdict: how well the target answers compared with the claimed variant's reference runs, whatever the
/// identity verdict — "right model, degraded stack" is a finding of its own, never a substitution (honest stacks of the
/// same weights differ by up to 8–9 points: InferenceX PR #258, Yuan et al. 2025). Delta = mean over capability
/// observations of (1 if passed) − the reference's pass rate in that cell, with a 95% normal interval.
/// </summary>
public sealed record ServiceQuality(QualityStatus Status, double? Delta, double? Low, double? High, int Observations, string Summary)
{
    /// <summary>Below this (upper end of the interval), the stack is reported as degraded.</summary>
    public const double DegradedBelow = -0.02;

    public static ServiceQuality Assess(IReadOnlyList<EvidenceItem> evidence, ReferenceSet references, VariantCatalog catalog, string claimedVariant)
    {
        var v = catalog.Get(claimedVariant);
        var builds = v.Precisions.OrderBy(p => p == v.NativePrecision ? 0 : 1).Select(p => Hypothesis.BuildId(v.Id, p)).ToList();
        double sum = 0, variance = 0;
        var n = 0;
        foreach (var e in evidence)
        {
            if (!Enum.TryParse<ProbeCategory>(e.Category, out var category) || !CapabilityModel.IsCapability(category) || e.Tier is null) continue;
            if (e.OutcomeKey is not ("pass" or "fail")) continue;
            var counts = builds.Select(b => references.Counts(b, category, e.Tier)).FirstOrDefault(c => c is not null && c[0] + c[1] > 0);
            if (counts is null) continue;
            var p = (counts[0] + 0.5) / (counts[0] + counts[1] + 1);
            sum += (e.OutcomeKey == "pass" ? 1 : 0) - p;
            variance += p * (1 - p);
            n++;
        }
        var f = CultureInfo.InvariantCulture;
        if (n < 5) return new ServiceQuality(QualityStatus.Insufficient, null, null, null, n, $"Not enough capability answers with a reference of {claimedVariant} to judge service quality ({n}).");
        var delta = sum / n;
        var half = 1.96 * Math.Sqrt(variance) / n;
        var status = delta + half < DegradedBelow ? QualityStatus.Degraded : QualityStatus.AsReference;
        var summary = string.Format(f, "{0}: pass rate {1:+0.0;-0.0} points vs the reference of {2} (95% interval {3:+0.0;-0.0} to {4:+0.0;-0.0}, {5} answers).",
            status == QualityStatus.Degraded ? "Degraded service" : "Service quality as the reference", 100 * delta, claimedVariant, 100 * (delta - half), 100 * (delta + half), n);
        return new ServiceQuality(status, delta, delta - half, delta + half, n, summary);
    }
}
