using Verifier.Core.Catalog;

namespace Verifier.Targets.Onnx.Inspection;

/// <summary>One compared field: what the model shows, what the variant's catalog entry says.</summary>
public sealed record FieldComparison(string Field, long Observed, long Expected, bool Matches, string Source);

public sealed record VariantComparison(string VariantId, IReadOnlyList<FieldComparison> Fields)
{
    public int Matched => Fields.Count(f => f.Matches);
    public int Mismatched => Fields.Count(f => !f.Matches);
}

public enum InspectionVerdictKind { Identified, Ambiguous, NoMatch, Insufficient }

/// <summary>The catalog match: the identified variant (or candidates) with per-field evidence.</summary>
public sealed record InspectionVerdict(
    InspectionVerdictKind Kind,
    string? VariantId,
    string? PrecisionId,
    IReadOnlyList<string> Candidates,
    string Summary,
    VariantComparison? Best);

/// <summary>
/// Compares derived architecture numbers with every catalogued variant. A variant matches only when every known
/// field agrees (parameters within a tolerance); at least the structural core (layers, hidden size, vocabulary)
/// must be known, otherwise the verdict is Insufficient rather than a guess.
/// </summary>
public static class CatalogMatcher
{
    /// <summary>Parameter counts differ by small constants (rotary tables, biases); 1% separates every catalogued size.</summary>
    public const double ParameterTolerance = 0.01;

    private static readonly string[] Core = ["layers", "hiddenSize", "vocabSize"];

    public static InspectionVerdict Match(ModelShape shape, IReadOnlyDictionary<string, string> sources, WeightPrecision precision, VariantCatalog catalog)
    {
        var comparisons = catalog.Variants.Select(v => Compare(shape, sources, v)).ToList();
        if (Core.Any(f => shape.Get(f) is null))
        {
            var missing = string.Join(", ", Core.Where(f => shape.Get(f) is null));
            return new InspectionVerdict(InspectionVerdictKind.Insufficient, null, null, [], $"Not enough structure to identify the model (unknown: {missing}).", null);
        }
        var full = comparisons.Where(c => c.Mismatched == 0).OrderByDescending(c => c.Matched).ToList();
        var best = full.FirstOrDefault() ?? comparisons.OrderByDescending(c => c.Matched - 2 * c.Mismatched).First();
        if (full.Count == 0 && best.Matched == 0)
            return new InspectionVerdict(InspectionVerdictKind.NoMatch, null, null, [],
                "No catalogued variant matches: no derived field agrees with any catalogued variant.", null);
        if (full.Count == 0)
        {
            var diff = string.Join("; ", best.Fields.Where(f => !f.Matches).Select(f => $"{f.Field} {f.Observed} vs {f.Expected}"));
            return new InspectionVerdict(InspectionVerdictKind.NoMatch, null, null, [],
                $"No catalogued variant matches. Closest: {best.VariantId} ({best.Matched} fields agree; differs in {diff}).", best);
        }
        var precisionId = precision.CatalogPrecision is { } p && catalog.Find(full[0].VariantId)!.Precisions.Contains(p) ? p : null;
        if (full.Count > 1)
        {
            var ids = full.Select(c => c.VariantId).ToList();
            return new InspectionVerdict(InspectionVerdictKind.Ambiguous, null, precisionId, ids,
                $"Architecture consistent with {string.Join(", ", ids)} (indistinguishable by structure).", best);
        }
        var matched = string.Join(", ", best.Fields.Select(f => $"{f.Field}={f.Observed}"));
        var precisionText = precisionId is null ? $"; precision {precision.Format} is not catalogued for it" : $"@{precisionId}";
        return new InspectionVerdict(InspectionVerdictKind.Identified, best.VariantId, precisionId, [best.VariantId],
            $"{best.VariantId}{precisionText} ({precision.Description}); matched {best.Matched} fields: {matched}.", best);
    }

    public static VariantComparison Compare(ModelShape shape, IReadOnlyDictionary<string, string> sources, Variant v)
    {
        var a = v.Architecture;
        var expected = new Dictionary<string, long>
        {
            ["layers"] = a.Layers, ["hiddenSize"] = a.HiddenSize, ["intermediateSize"] = a.IntermediateSize,
            ["attentionHeads"] = a.AttentionHeads, ["kvHeads"] = a.KvHeads, ["headDim"] = a.HeadDim,
            ["vocabSize"] = a.VocabSize, ["contextLength"] = a.MaxPositionEmbeddings, ["parameters"] = a.Parameters,
        };
        var fields = new List<FieldComparison>();
        foreach (var f in ModelShape.FieldNames)
        {
            if (shape.Get(f) is not { } observed) continue;
            var exp = expected[f];
            var ok = f == "parameters" ? Math.Abs(observed - exp) <= ParameterTolerance * exp : observed == exp;
            fields.Add(new FieldComparison(f, observed, exp, ok, sources.GetValueOrDefault(f, "graph")));
        }
        return new VariantComparison(v.Id, fields);
    }
}
