using System.Buffers.Binary;
using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Tests;

/// <summary>
/// Makes the tiny-random-llama GenAI-builder export runnable: copies its graph and writes the missing
/// model.onnx.data with seeded random weights at the offsets the graph references (norm weights near 1,
/// true rotary cos/sin tables), giving a real Llama-architecture decoder (GroupQueryAttention, int64 ids, no position_ids).
/// </summary>
public static class TinyLlamaWeights
{
    public static string Materialize(string dir, int seed)
    {
        foreach (var f in new[] { "model.onnx", "genai_config.json" })
            File.Copy(Path.Combine(TestModels.TinyLlama, f), Path.Combine(dir, f), overwrite: true);
        var graph = OnnxGraphReader.Read(Path.Combine(dir, "model.onnx"));
        var external = graph.Initializers.Where(t => t.Data is { External: true }).ToList();
        var size = external.Max(t => t.Data!.Offset + t.Data.Length);
        var data = new byte[size];
        var rng = new Random(seed);
        foreach (var t in external)
        {
            if (t.DataType != OnnxDataType.Float) throw new InvalidDataException($"Unexpected weight type {t.TypeName} for {t.Name}.");
            var span = data.AsSpan((int)t.Data!.Offset, (int)t.Data.Length);
            var n = (int)t.ElementCount;
            for (var i = 0; i < n; i++)
            {
                float v;
                if (t.Name.Contains("cos_cache", StringComparison.Ordinal) || t.Name.Contains("sin_cache", StringComparison.Ordinal))
                {
                    var half = (int)t.Dims[1];
                    var (pos, j) = (i / half, i % half);
                    var angle = pos / Math.Pow(10000, 2.0 * j / (2 * half));
                    v = (float)(t.Name.Contains("cos", StringComparison.Ordinal) ? Math.Cos(angle) : Math.Sin(angle));
                }
                else if (t.Dims.Count == 1) v = 1f + (float)(rng.NextDouble() - 0.5) * 0.2f; // norm weights
                else v = (float)(rng.NextDouble() - 0.5) * 0.5f;
                BinaryPrimitives.WriteSingleLittleEndian(span[(i * 4)..], v);
            }
        }
        File.WriteAllBytes(Path.Combine(dir, "model.onnx.data"), data);
        return dir;
    }
}
