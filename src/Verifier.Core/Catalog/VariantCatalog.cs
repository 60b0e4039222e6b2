namespace Verifier.Core.Catalog;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>
/// The variant catalog (probes/catalog/variants.json): every variant and precision, with lookups by id.
/// A build id is "variant" or "variant@precision" (e.g. "r1-distill-qwen-7b@int4").
/// </summary>
public sealed class VariantCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private readonly Dictionary<string, Variant> variants;
    private readonly Dictionary<string, Precision> precisions;

    public VariantCatalog(IReadOnlyList<Variant> variants, IReadOnlyList<Precision> precisions)
    {
        Variants = variants;
        PrecisionList = precisions;
        this.variants = variants.ToDictionary(v => v.Id, StringComparer.Ordinal);
        this.precisions = precisions.ToDictionary(p => p.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<Variant> Variants { get; }
    public IReadOnlyList<Precision> PrecisionList { get; }

    public Variant? Find(string variantId) => variants.GetValueOrDefault(variantId);
    public Variant Get(string variantId) =>
        Find(variantId) ?? throw new KeyNotFoundException($"Unknown variant '{variantId}'. Known: {string.Join(", ", variants.Keys)}.");
    public Precision? FindPrecision(string precisionId) => precisions.GetValueOrDefault(precisionId);

    /// <summary>Parses "variant" or "variant@precision"; false when either part is not catalogued or not offered for that variant.</summary>
    public bool TryParseBuild(string buildId, out Variant variant, out Precision? precision)
    {
        variant = null!;
        precision = null;
        var at = buildId.IndexOf('@', StringComparison.Ordinal);
        var variantId = at < 0 ? buildId : buildId[..at];
        if (Find(variantId) is not { } v) return false;
        variant = v;
        if (at < 0) return true;
        var precisionId = buildId[(at + 1)..];
        if (!v.Precisions.Contains(precisionId, StringComparer.Ordinal) || FindPrecision(precisionId) is not { } p) return false;
        precision = p;
        return true;
    }

    public bool IsKnownBuild(string buildId) => TryParseBuild(buildId, out _, out _);

    public static VariantCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    public static VariantCatalog Load(Stream stream, string name = "variants.json")
    {
        CatalogFile file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogFile>(stream, Json) ?? throw new InvalidDataException($"{name}: empty catalog.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: {e.Message}", e);
        }
        var catalog = new VariantCatalog(file.Variants, file.Precisions);
        var problems = CatalogValidation.Validate(catalog);
        if (problems.Count > 0) throw new InvalidDataException($"{name}: {string.Join("; ", problems)}");
        return catalog;
    }

    /// <summary>The catalog shipped in probes/catalog, found next to the binary or above it (the repository).</summary>
    public static VariantCatalog Default => LazyDefault.Value;

    private static readonly Lazy<VariantCatalog> LazyDefault = new(() => Load(ProbeFiles.Require(Path.Combine("catalog", "variants.json"))));

    private sealed record CatalogFile(int SchemaVersion, string? Source, IReadOnlyList<Variant> Variants, IReadOnlyList<Precision> Precisions);
}
