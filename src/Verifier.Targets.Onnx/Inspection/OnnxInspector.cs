using Verifier.Core.Catalog;
using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Inspection;

/// <summary>Everything `verifier inspect` reports about one ONNX model.</summary>
public sealed record InspectionResult(
    string ModelPath,
    long FileBytes,
    long BytesRead,
    string Producer,
    long IrVersion,
    IReadOnlyList<OnnxOpset> Opsets,
    int NodeCount,
    int InitializerCount,
    IReadOnlyDictionary<string, int> OperatorCounts,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs,
    ModelShape FromGraph,
    ModelShape? FromConfig,
    ModelShape Resolved,
    IReadOnlyDictionary<string, string> Sources,
    string AttentionOperator,
    WeightPrecision Precision,
    DecoderIo Io,
    IReadOnlyList<ExternalDataFile> ExternalData,
    IReadOnlyList<string> ConfigFiles,
    IReadOnlyList<string> Notes,
    InspectionVerdict Verdict);

/// <summary>
/// Inspects an ONNX model file or folder without loading weights: graph structure (streamed) plus the
/// configs next to it, resolved field by field (graph first: it is what runs), then matched against the catalog.
/// </summary>
public static class OnnxInspector
{
    public static InspectionResult Inspect(string path, VariantCatalog? catalog = null)
    {
        catalog ??= VariantCatalog.Default;
        var (modelPath, folder) = ResolveModel(path);
        OnnxGraph graph;
        long read;
        using (var fs = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess))
            graph = OnnxGraphReader.Read(fs, out read);

        var facts = GraphAnalysis.Analyze(graph);
        var config = ModelConfigReader.Read(folder);
        var notes = new List<string>(facts.Notes);
        notes.AddRange(config.Notes);
        var hasConfig = config.FilesRead.Count > 0;
        var sources = new Dictionary<string, string>();
        foreach (var f in ModelShape.FieldNames)
        {
            var g = facts.Shape.Get(f);
            var c = config.Shape.Get(f);
            if (g is not null) sources[f] = "graph";
            else if (c is not null) sources[f] = "config";
            if (g is { } gv && c is { } cv && gv != cv)
                notes.Add($"Graph and config disagree on {f}: graph {gv}, config {cv} (graph value used).");
        }
        var resolved = ModelConfigReader.Merge(facts.Shape, config.Shape);
        var verdict = CatalogMatcher.Match(resolved, sources, facts.Precision, catalog);
        var ops = graph.Nodes.GroupBy(n => string.IsNullOrEmpty(n.Domain) ? n.OpType : $"{n.Domain}:{n.OpType}")
            .OrderByDescending(x => x.Count()).ToDictionary(x => x.Key, x => x.Count());

        return new InspectionResult(Path.GetFullPath(modelPath), new FileInfo(modelPath).Length, read, graph.Producer, graph.IrVersion,
            graph.Opsets, graph.Nodes.Count, graph.Initializers.Count, ops, graph.Inputs, graph.Outputs,
            facts.Shape, hasConfig ? config.Shape : null, resolved, sources, facts.AttentionOperator, facts.Precision, facts.Io,
            ExternalFiles(graph, folder), config.FilesRead, notes, verdict);
    }

    /// <summary>A file is the model; a folder's model is genai_config's decoder file, else model.onnx, else its largest .onnx.</summary>
    public static (string ModelPath, string Folder) ResolveModel(string path)
    {
        if (File.Exists(path)) return (path, Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (!Directory.Exists(path)) throw new FileNotFoundException($"No model file or folder at '{path}'.", path);
        var fromConfig = ModelConfigReader.Read(path).DecoderFileName;
        if (fromConfig is not null && File.Exists(Path.Combine(path, fromConfig))) return (Path.Combine(path, fromConfig), path);
        if (File.Exists(Path.Combine(path, "model.onnx"))) return (Path.Combine(path, "model.onnx"), path);
        var any = Directory.GetFiles(path, "*.onnx").OrderByDescending(f => new FileInfo(f).Length).FirstOrDefault()
            ?? throw new FileNotFoundException($"No .onnx file in folder '{path}'.", path);
        return (any, path);
    }

    private static List<ExternalDataFile> ExternalFiles(OnnxGraph graph, string folder) =>
        graph.Initializers.Where(t => t.Data is { External: true, Location: not null })
            .GroupBy(t => t.Data!.Location!)
            .Select(x =>
            {
                var full = Path.Combine(folder, x.Key);
                var exists = File.Exists(full);
                var referenced = x.Max(t => t.Data!.Offset + Math.Max(0, t.Data.Length));
                return new ExternalDataFile(x.Key, x.Count(), referenced, exists, exists ? new FileInfo(full).Length : null);
            }).ToList();
}
