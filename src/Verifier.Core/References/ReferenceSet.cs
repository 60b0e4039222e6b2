namespace Verifier.Core.References;

using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;

/// <summary>
/// The reference runs an audit uses, indexed by build and cell. Only runs recorded with the audit's suite hash count
/// (a changed probe suite changes pass rates); the others are listed in <see cref="Skipped"/>.
/// </summary>
public sealed class ReferenceSet
{
    private readonly Dictionary<(string Build, ProbeCategory Category, string Tier), double[]> counts = [];
    private readonly Dictionary<(string Build, ProbeCategory Category, string Tier), Dictionary<string, double>> keyed = [];
    private readonly Dictionary<(ProbeCategory Category, string Tier), SortedSet<string>> universe = [];
    private readonly Dictionary<(string Build, string ProbeId), List<FingerprintObservation>> fingerprints = [];

    /// <summary>The catch-all outcome of a keyed cell (an outcome no reference run showed).</summary>
    public const string OtherOutcome = "(other)";

    public static ReferenceSet Empty { get; } = new([], null);

    public ReferenceSet(IEnumerable<ReferenceRun> runs, string? suiteHash)
    {
        var used = new List<ReferenceRun>();
        var skipped = new List<ReferenceRun>();
        foreach (var run in runs)
        {
            if (suiteHash is not null && run.SuiteHash != suiteHash) { skipped.Add(run); continue; }
            used.Add(run);
            foreach (var f in run.Fingerprints)
            {
                if (!fingerprints.TryGetValue((run.Build, f.ProbeId), out var list)) fingerprints[(run.Build, f.ProbeId)] = list = [];
                list.Add(f.Observation);
            }
            foreach (var cell in run.Cells)
            {
                var key = (run.Build, cell.Category, cell.Tier);
                if (!counts.TryGetValue(key, out var c)) counts[key] = c = new double[3];
                foreach (var (outcome, n) in cell.Counts)
                    c[Evidence.CapabilityModel.OutcomeIndex(outcome)] += n;
                if (!keyed.TryGetValue(key, out var k)) keyed[key] = k = new Dictionary<string, double>(StringComparer.Ordinal);
                if (!universe.TryGetValue((cell.Category, cell.Tier), out var u)) universe[(cell.Category, cell.Tier)] = u = new SortedSet<string>(StringComparer.Ordinal) { OtherOutcome };
                foreach (var (outcome, n) in cell.Counts)
                {
                    k[outcome] = k.GetValueOrDefault(outcome) + n;
                    u.Add(outcome);
                }
            }
        }
        Used = used;
        Skipped = skipped;
    }

    public IReadOnlyList<ReferenceRun> Used { get; }
    public IReadOnlyList<ReferenceRun> Skipped { get; }

    /// <summary>Summed pass / fail / no-answer counts of a build in a cell, or null without a reference for it.</summary>
    public double[]? Counts(string build, ProbeCategory category, string tier) => counts.GetValueOrDefault((build, category, tier));

    /// <summary>Every outcome key reference runs showed in a cell, plus <see cref="OtherOutcome"/>, sorted; empty when no run covers the cell.</summary>
    public IReadOnlyList<string> OutcomeKeys(ProbeCategory category, string tier) =>
        universe.TryGetValue((category, tier), out var u) ? u.ToList() : [];

    /// <summary>Counts per outcome key of a build in a cell (any category), or null.</summary>
    public IReadOnlyDictionary<string, double>? KeyedCounts(string build, ProbeCategory category, string tier) => keyed.GetValueOrDefault((build, category, tier));

    /// <summary>What reference runs of a build answered to a fingerprint prompt (one per run), or an empty list.</summary>
    public IReadOnlyList<FingerprintObservation> Fingerprints(string build, string probeId) =>
        fingerprints.TryGetValue((build, probeId), out var list) ? list : [];

    /// <summary>Every (build, prompt) with more than one reference answer: the honest serving noise is estimated from them.</summary>
    public IEnumerable<IReadOnlyList<FingerprintObservation>> RepeatedFingerprints => fingerprints.Values.Where(l => l.Count > 1);

    public bool HasVariant(string variantId) => Used.Any(r => r.Build == variantId || r.Build.StartsWith(variantId + "@", StringComparison.Ordinal));

    public IEnumerable<OutputSample> Samples(string build) => Used.Where(r => r.Build == build).SelectMany(r => r.Samples);
}
