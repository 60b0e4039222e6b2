using System.Globalization;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Verifier.Targets.Onnx.Fingerprint;
using Verifier.Targets.Onnx.Inspection;

namespace Verifier.Cli.Commands;

/// <summary>`verifier inspect PATH [--json] [--fingerprint]`: what a local ONNX model really is, from its graph.</summary>
public static class InspectCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "An .onnx file or a model folder (genai_config.json / config.json are read when present)." };
        var json = new Option<bool>("--json") { Description = "Print the full inspection result as JSON." };
        var fingerprint = new Option<bool>("--fingerprint") { Description = "Also hash every tensor's stored bytes (sha256) and compute norms and moments (reads the weights)." };
        var command = new Command("inspect", "Identify a local ONNX model (architecture, precision, catalogued variant) without loading its weights.") { path, json, fingerprint };
        command.SetAction(parse =>
        {
            try
            {
                var result = OnnxInspector.Inspect(parse.GetValue(path)!);
                var prints = parse.GetValue(fingerprint) ? WeightFingerprinter.Fingerprint(result.ModelPath) : null;
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(new { inspection = result, fingerprint = prints }, Json));
                else
                {
                    PrintText(result);
                    if (prints is not null) PrintFingerprint(prints);
                }
                return result.Verdict.Kind switch
                {
                    InspectionVerdictKind.Identified => ExitCodes.Consistent,
                    InspectionVerdictKind.NoMatch => ExitCodes.Mismatch,
                    _ => ExitCodes.Inconclusive,
                };
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"inspect: {e.Message}");
                return ExitCodes.Error;
            }
        });
        return command;
    }

    private static void PrintText(InspectionResult r)
    {
        Console.WriteLine($"Model       {r.ModelPath} ({r.FileBytes:N0} bytes; {r.BytesRead:N0} read)");
        Console.WriteLine($"Producer    {r.Producer} (IR {r.IrVersion}; opsets {string.Join(", ", r.Opsets.Select(o => $"{(o.Domain == "" ? "ai.onnx" : o.Domain)}:{o.Version}"))})");
        Console.WriteLine($"Graph       {r.NodeCount} nodes, {r.InitializerCount} initializers; ops {string.Join(", ", r.OperatorCounts.Take(8).Select(kv => $"{kv.Key}×{kv.Value}"))}");
        Console.WriteLine($"Configs     {(r.ConfigFiles.Count == 0 ? "none (graph only)" : string.Join(", ", r.ConfigFiles))}");
        Console.WriteLine();
        Console.WriteLine($"{"field",-18}{"graph",-16}{"config",-16}{"used",-16}");
        foreach (var f in ModelShape.FieldNames)
            Console.WriteLine($"{f,-18}{Show(r.FromGraph.Get(f)),-16}{Show(r.FromConfig?.Get(f)),-16}{Show(r.Resolved.Get(f)),-16}");
        Console.WriteLine();
        Console.WriteLine($"Attention   {r.AttentionOperator}");
        Console.WriteLine($"Precision   {r.Precision.Description}");
        var io = r.Io;
        Console.WriteLine($"I/O         input_ids {io.InputIdsType}; attention_mask {(io.HasAttentionMask ? "yes" : "no")}; position_ids {(io.HasPositionIds ? "yes" : "no")}; past {io.PastKeyPattern}/{io.PastValuePattern} → {io.PresentKeyPattern}/{io.PresentValuePattern} ({io.KvCacheType})");
        foreach (var x in r.ExternalData)
            Console.WriteLine($"External    {x.Location}: {x.Tensors} tensors, {x.ReferencedBytes:N0} bytes referenced, {(x.Exists ? $"present ({x.SizeOnDisk:N0} bytes)" : "missing")}");
        foreach (var n in r.Notes) Console.WriteLine($"Note        {n}");
        Console.WriteLine();
        Console.WriteLine($"Verdict     {r.Verdict.Kind}: {r.Verdict.Summary}");
        if (r.Verdict.Best is { } best)
            foreach (var f in best.Fields)
                Console.WriteLine($"  {(f.Matches ? "match   " : "MISMATCH")} {f.Field,-18} observed {f.Observed,-14} {best.VariantId} {f.Expected,-14} ({f.Source})");
    }

    private static void PrintFingerprint(WeightFingerprint fp)
    {
        Console.WriteLine();
        Console.WriteLine($"Fingerprint {fp.Tensors.Count} tensors, model digest {fp.ModelDigest}");
        foreach (var t in fp.Tensors.Take(50))
            Console.WriteLine($"  {t.Name,-48} {t.Sha256?[..16] ?? "(no data)",-17} {(t.Stats is { } s ? $"l2 {s.L2Norm:G6} mean {s.Mean:G4} std {s.Std:G4} kurt {s.Kurtosis:G4}" : "")}");
        if (fp.Tensors.Count > 50) Console.WriteLine($"  … {fp.Tensors.Count - 50} more (use --json)");
    }

    private static string Show(long? v) => v?.ToString("N0", CultureInfo.InvariantCulture) ?? "-";
}
