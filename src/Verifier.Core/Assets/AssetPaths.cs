namespace Verifier.Core.Assets;

/// <summary>
/// Locates third-party data fetched by scripts/fetch-assets.sh (tokenizer files, ONNX Runtime): the
/// VERIFIER_ASSETS environment variable, else the nearest ".cache/assets" above the running binary.
/// </summary>
public static class AssetPaths
{
    private const string FetchHint = "run scripts/fetch-assets.sh (or set VERIFIER_ASSETS to the folder it fills)";

    public static string Root { get; } = Locate();

    /// <summary>The full path of an asset; throws a message naming the file and the command that fetches it.</summary>
    public static string Require(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Asset '{relativePath}' not found at {path}: {FetchHint}.", path);
        return path;
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("VERIFIER_ASSETS");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Path.GetFullPath(fromEnv);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".cache", "assets");
            if (Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine(Directory.GetCurrentDirectory(), ".cache", "assets");
    }
}
