namespace Verifier.Core.References;

using Verifier.Core.Probes;

/// <summary>Accumulates scored outcomes (and output texts) of a trusted deployment into a <see cref="ReferenceRun"/>. Pure: returns new values.</summary>
public static class ReferenceRecorder
{
    public static ReferenceRun Empty(string id, string build, string endpoint, DateTimeOffset at, string suiteVersion, string suiteHash) =>
        new(id, build, endpoint, at, suiteVersion, suiteHash, [], []);

    public static ReferenceRun Add(ReferenceRun run, ProbeInstance instance, ProbeOutcome outcome, string? outputText)
    {
        if (outcome.Repeat is not null) return run; // a self-consistency pair is compared within the target, never with a reference
        if (outcome.Fingerprint is { } fingerprint) return run with { Fingerprints = [.. run.Fingerprints, new FingerprintSample(instance.ProbeId, fingerprint)] };
        var cells = run.Cells.ToList();
        var i = cells.FindIndex(c => c.Category == outcome.Category && c.Tier == outcome.Tier);
        var counts = i >= 0 ? new Dictionary<string, int>(cells[i].Counts, StringComparer.Ordinal) : new Dictionary<string, int>(StringComparer.Ordinal);
        counts[outcome.OutcomeKey] = counts.GetValueOrDefault(outcome.OutcomeKey) + 1;
        var cell = new ReferenceCell(outcome.Category, outcome.Tier, counts);
        if (i >= 0) cells[i] = cell; else cells.Add(cell);
        var samples = outputText is null ? run.Samples : [.. run.Samples, new OutputSample(instance.ProbeId, instance.GeneratorId, instance.Seed, outputText)];
        return run with { Cells = cells, Samples = samples };
    }
}
