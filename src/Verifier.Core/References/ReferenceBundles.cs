namespace Verifier.Core.References;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>A JSON file of reference runs (probes/references/*.json), versioned by format and by the suite it was recorded with.</summary>
public sealed record ReferenceBundle(int FormatVersion, string SuiteVersion, string SuiteHash, IReadOnlyList<ReferenceRun> Runs);

/// <summary>Import/export of reference bundles. Export is deterministic (stable order, fixed formatting) so bundles diff cleanly.</summary>
public static class ReferenceBundles
{
    public const int FormatVersion = 2;

    /// <summary>Format 1 bundles (before fingerprints) still import: their runs simply carry no fingerprints.</summary>
    private const int OldestReadable = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string Export(IEnumerable<ReferenceRun> runs, string suiteVersion, string suiteHash)
    {
        var ordered = runs.OrderBy(r => r.Build, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => r with
            {
                Cells = r.Cells.OrderBy(c => c.Category).ThenBy(c => c.Tier, StringComparer.Ordinal)
                    .Select(c => c with { Counts = new SortedDictionary<string, int>(c.Counts.ToDictionary(), StringComparer.Ordinal) }).ToList(),
                Fingerprints = r.Fingerprints.OrderBy(f => f.ProbeId, StringComparer.Ordinal).ToList(),
            }).ToList();
        return JsonSerializer.Serialize(new ReferenceBundle(FormatVersion, suiteVersion, suiteHash, ordered), Json);
    }

    public static void ExportFile(string path, IEnumerable<ReferenceRun> runs, string suiteVersion, string suiteHash)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Export(runs, suiteVersion, suiteHash));
    }

    /// <summary>Reads and checks a bundle: format version, every run tied to a suite hash, non-negative counts.</summary>
    public static ReferenceBundle Import(string json, string name = "bundle")
    {
        ReferenceBundle? bundle;
        try { bundle = JsonSerializer.Deserialize<ReferenceBundle>(json, Json); }
        catch (JsonException e) { throw new InvalidDataException($"{name}: not a reference bundle: {e.Message}", e); }
        if (bundle is null) throw new InvalidDataException($"{name}: empty reference bundle.");
        if (bundle.FormatVersion is < OldestReadable or > FormatVersion)
            throw new InvalidDataException($"{name}: reference bundle format {bundle.FormatVersion} is not supported (expected {OldestReadable}..{FormatVersion}).");
        foreach (var run in bundle.Runs ?? [])
        {
            if (string.IsNullOrWhiteSpace(run.Build) || string.IsNullOrWhiteSpace(run.SuiteHash))
                throw new InvalidDataException($"{name}: run '{run.Id}' lacks a build or suite hash.");
            if (run.Cells.Any(c => c.Counts.Values.Any(n => n < 0)))
                throw new InvalidDataException($"{name}: run '{run.Id}' has a negative count.");
        }
        return bundle;
    }

    public static ReferenceBundle ImportFile(string path) => Import(File.ReadAllText(path), path);

    /// <summary>All runs of every *.json bundle in a folder (e.g. probes/references), in file-name order.</summary>
    public static IReadOnlyList<ReferenceRun> ImportFolder(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).SelectMany(f => ImportFile(f).Runs).ToList()
            : [];
}
