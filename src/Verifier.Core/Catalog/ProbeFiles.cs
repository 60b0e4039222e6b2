namespace Verifier.Core.Catalog;

/// <summary>
/// Locates the data folder "probes/" (catalog, suite, scenarios, references): VERIFIER_PROBES, else a
/// "probes" folder next to the binary (copied there by the build), else the nearest one above it.
/// </summary>
public static class ProbeFiles
{
    public static string Root { get; } = Locate();

    public static string Require(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        if (!File.Exists(path)) throw new FileNotFoundException($"Probe data file '{relativePath}' not found under {Root} (set VERIFIER_PROBES to the repository's probes/ folder).", path);
        return path;
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("VERIFIER_PROBES");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Path.GetFullPath(fromEnv);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "probes");
            if (File.Exists(Path.Combine(candidate, "catalog", "variants.json"))) return candidate;
        }
        return Path.Combine(Directory.GetCurrentDirectory(), "probes");
    }
}
