namespace Verifier.Core.References;

using Verifier.Core.Probes;

/// <summary>
/// The reference runs an audit uses, indexed by build and cell. Only runs recorded with the audit's suite hash count
/// (a changed probe suite changes pass rates); the others are listed in <see cref="Skipped"/>.
/// </summary>
public sealed class ReferenceSet
{
    private readonly Dictionary<(string Build, ProbeCategory Category, string Tier), double[]> counts = [];

    public static ReferenceSet Empty { get; } = new([], null);

    public ReferenceSet(IEnumerable<ReferenceRun> runs, string? suiteHash)
    {
        var used = new List<ReferenceRun>();
        var skipped = new List<ReferenceRun>();
        foreach (var run in runs)
        {
            if (suiteHash is not null && run.SuiteHash != suiteHash) { skipped.Add(run); continue; }
            used.Add(run);
            foreach (var cell in run.Cells)
            {
                var key = (run.Build, cell.Category, cell.Tier);
                if (!counts.TryGetValue(key, out var c)) counts[key] = c = new double[3];
                foreach (var (outcome, n) in cell.Counts)
                    c[Evidence.CapabilityModel.OutcomeIndex(outcome)] += n;
            }
        }
        Used = used;
        Skipped = skipped;
    }

    public IReadOnlyList<ReferenceRun> Used { get; }
    public IReadOnlyList<ReferenceRun> Skipped { get; }

    /// <summary>Summed pass / fail / no-answer counts of a build in a cell, or null without a reference for it.</summary>
    public double[]? Counts(string build, ProbeCategory category, string tier) => counts.GetValueOrDefault((build, category, tier));

    public bool HasVariant(string variantId) => Used.Any(r => r.Build == variantId || r.Build.StartsWith(variantId + "@", StringComparison.Ordinal));

    public IEnumerable<OutputSample> Samples(string build) => Used.Where(r => r.Build == build).SelectMany(r => r.Samples);
}
