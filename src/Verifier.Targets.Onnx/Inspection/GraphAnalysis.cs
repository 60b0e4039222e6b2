using System.Globalization;
using System.Text.RegularExpressions;
using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Inspection;

/// <summary>What the graph alone says about the model (config files are not consulted here).</summary>
public sealed record GraphFacts(ModelShape Shape, string AttentionOperator, WeightPrecision Precision, DecoderIo Io, IReadOnlyList<string> Notes);

/// <summary>
/// Derives architecture, attention operator and precision from an ONNX decoder graph. Each number comes from the
/// most direct structural witness: KV-cache input shapes and attention attributes for heads, embedding and linear
/// weight shapes for hidden/intermediate/vocab, the rotary cache for context length.
/// </summary>
public static partial class GraphAnalysis
{
    private const string MsDomain = "com.microsoft";

    /// <summary>A linear layer's weight as [K in, N out], with how it is stored.</summary>
    private sealed record Linear(OnnxNode Node, long K, long N, string Scheme, int WeightType, OnnxTensor? Weight);

    public static GraphFacts Analyze(OnnxGraph g)
    {
        var notes = new List<string>();
        var inits = g.Initializers.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.First(), StringComparer.Ordinal);
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in g.Nodes) foreach (var o in n.Outputs) producers.TryAdd(o, n);

        var linears = FindLinears(g, inits, producers);
        var io = ReadIo(g);

        // Embedding: a Gather over a 2-D weight whose indices are input_ids.
        var (embedRows, embedCols, posRows) = FindEmbeddings(g, inits, producers);

        int? vocab = null;
        var logits = g.Outputs.FirstOrDefault(o => o.Name == (io.LogitsName ?? "logits"));
        if (logits?.Shape is { Count: > 0 } ls && ls[^1].Value is > 0 and var lv) vocab = (int)lv;
        vocab ??= embedRows;
        if (vocab is null && linears.Count > 0) vocab = (int)linears.Max(l => l.N);
        if (embedRows is { } er && vocab is { } v && er != v) notes.Add($"Embedding rows ({er}) differ from the logits width ({v}).");

        int? hidden = embedCols;

        // Layers: distinct indices of past-KV inputs, else attention nodes, else layer indices in weight names.
        int? layers = null;
        var pastIdx = g.Inputs.Select(i => PastIndex().Match(i.Name)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().ToList();
        if (pastIdx.Count > 0) layers = pastIdx.Count;
        var attnNodes = g.Nodes.Where(n => n.OpType is "GroupQueryAttention" or "MultiHeadAttention" or "Attention" or "PagedAttention" or "SparseAttention").ToList();
        if (layers is null && attnNodes.Count > 0) layers = attnNodes.Count;
        if (layers is null)
        {
            var idx = g.Initializers.Select(t => LayerIndex().Match(t.Name)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().Count();
            if (idx > 0) layers = idx;
        }
        if (pastIdx.Count > 0 && attnNodes.Count > 0 && attnNodes.Count != pastIdx.Count)
            notes.Add($"{attnNodes.Count} attention nodes but {pastIdx.Count} past-KV layers.");

        // Heads: attention attributes, the KV-cache shape [batch, kv_heads, past, head] (or GPT-2's [2, batch, heads, past, head]) overriding kv heads.
        int? heads = null, kvHeads = null, headDim = null;
        var attn = attnNodes.FirstOrDefault();
        if (attn is not null)
        {
            heads = (int?)attn.IntAttr("num_heads");
            kvHeads = (int?)attn.IntAttr("kv_num_heads") ?? (attn.OpType == "GroupQueryAttention" ? null : heads);
        }
        var pastKey = g.Inputs.FirstOrDefault(i => PastIndex().IsMatch(i.Name));
        if (pastKey?.Shape is { } ps)
        {
            var (kvAt, hdAt) = ps.Count == 5 ? (2, 4) : ps.Count == 4 ? (1, 3) : (-1, -1);
            if (kvAt >= 0)
            {
                if (ps[kvAt].Value is > 0 and var kv)
                {
                    // The cache holds what the model really keeps per layer; the operator may see expanded keys.
                    if (kvHeads is { } a && a != kv)
                        notes.Add(attn!.IntAttr("kv_num_heads") is null
                            ? $"{attn.OpType} has num_heads {a} but the KV cache holds {kv} heads (keys and values expanded by repeat_kv before attention); KV heads taken from the cache shape ({kv})."
                            : $"Attention kv_num_heads {a} differs from the KV-cache shape ({kv}); the cache shape is used.");
                    kvHeads = (int)kv;
                }
                if (ps[hdAt].Value is > 0 and var hd) headDim = (int)hd;
            }
        }
        var rotary = g.Initializers.FirstOrDefault(t => t.Name.Contains("cos_cache", StringComparison.OrdinalIgnoreCase) && t.Dims.Count == 2);
        if (headDim is null && rotary is not null) headDim = (int)rotary.Dims[1] * 2;

        // Linear-layer geometry: down_proj is [intermediate, hidden]; q_proj is [hidden, heads*head_dim].
        if (hidden is null && linears.Count > 0)
            hidden = (int)linears.GroupBy(l => l.K).OrderByDescending(x => x.Count()).First().Key;
        int? intermediate = null;
        if (hidden is { } h)
        {
            var down = linears.Where(l => l.N == h && l.K != h && l.K != vocab).GroupBy(l => l.K).OrderByDescending(x => x.Count()).FirstOrDefault();
            if (down is not null) intermediate = (int)down.Key;
            if (heads is null && headDim is { } hd0 && hd0 > 0)
            {
                // q_proj is the widest non-MLP projection out of the hidden state besides lm_head; its width / head_dim = heads.
                var kvWidth = kvHeads * hd0;
                var q = linears.Where(l => l.K == h && l.N != intermediate && l.N != vocab && l.N != kvWidth && l.N % hd0 == 0)
                    .GroupBy(l => l.N).OrderByDescending(x => x.Count()).FirstOrDefault();
                if (q is not null) heads = (int)(q.Key / hd0);
                else if (h % hd0 == 0) { heads = h / hd0; notes.Add("Attention heads inferred as hidden / head size."); }
            }
        }
        if (headDim is null && heads is { } hh && hidden is { } h2 && hh > 0) headDim = h2 / hh;

        int? context = rotary is not null ? (int)rotary.Dims[0] : posRows;

        var attention = attnNodes.Count > 0 ? attnNodes.GroupBy(n => n.OpType).OrderByDescending(x => x.Count()).First().Key
            : g.Nodes.Any(n => n.OpType == "Softmax") && g.Nodes.Any(n => n.OpType == "MatMul") ? "MatMul+Softmax" : "none";

        var precision = DerivePrecision(g, linears, inits);
        var parameters = CountParameters(g, inits);
        var shape = new ModelShape(layers, hidden, intermediate, heads, kvHeads, headDim, vocab, context, parameters);
        return new GraphFacts(shape, attention, precision, io, notes);
    }

    private static List<Linear> FindLinears(OnnxGraph g, Dictionary<string, OnnxTensor> inits, Dictionary<string, OnnxNode> producers)
    {
        var result = new List<Linear>();
        foreach (var n in g.Nodes)
        {
            if (n.OpType == "MatMulNBits" && n.IntAttr("K") is { } k && n.IntAttr("N") is { } nn)
            {
                inits.TryGetValue(n.Inputs.ElementAtOrDefault(1) ?? "", out var w);
                result.Add(new Linear(n, k, nn, "MatMulNBits", w?.DataType ?? 0, w));
            }
            else if (n.OpType is "MatMul" or "Gemm" or "FusedMatMul" && n.Inputs.Count > 1)
            {
                var (w, scheme, transposed) = ResolveWeight(n.Inputs[1], inits, producers);
                if (w is null || w.Dims.Count != 2) continue;
                var transB = n.IntAttr("transB") == 1;
                var (kk, nnn) = transposed ^ transB ? (w.Dims[1], w.Dims[0]) : (w.Dims[0], w.Dims[1]);
                result.Add(new Linear(n, kk, nnn, scheme, w.DataType, w));
            }
        }
        return result;
    }

    /// <summary>Follows a weight input through DequantizeLinear / Transpose / Cast to its initializer.</summary>
    private static (OnnxTensor? Tensor, string Scheme, bool Transposed) ResolveWeight(string name, Dictionary<string, OnnxTensor> inits, Dictionary<string, OnnxNode> producers)
    {
        var scheme = "float";
        var transposed = false;
        for (var hop = 0; hop < 4; hop++)
        {
            if (inits.TryGetValue(name, out var t)) return (t, scheme, transposed);
            if (!producers.TryGetValue(name, out var p) || p.Inputs.Count == 0) return (null, scheme, transposed);
            switch (p.OpType)
            {
                case "DequantizeLinear": scheme = "QDQ"; break;
                case "Transpose": transposed = !transposed; break;
                case "Cast" or "Identity" or "Reshape": break;
                default: return (null, scheme, transposed);
            }
            name = p.Inputs[0];
        }
        return (null, scheme, transposed);
    }

    private static (int? Rows, int? Cols, int? PositionRows) FindEmbeddings(OnnxGraph g, Dictionary<string, OnnxTensor> inits, Dictionary<string, OnnxNode> producers)
    {
        int? rows = null, cols = null, pos = null;
        foreach (var n in g.Nodes.Where(n => n.OpType is "Gather" or "GatherBlockQuantized" && n.Inputs.Count > 1))
        {
            var (w, _, _) = ResolveWeight(n.Inputs[0], inits, producers);
            if (w is null || w.Dims.Count != 2) continue;
            var width = w.Dims[1];
            if (n.OpType == "GatherBlockQuantized" && OnnxDataType.Bits(w.DataType) == 8 && n.IntAttr("bits") is { } bits && bits < 8)
                width = width * 8 / bits; // packed nibbles
            var indices = TraceToInput(n.Inputs[1], producers);
            if (indices is not null && indices.Contains("position", StringComparison.OrdinalIgnoreCase)) { pos ??= (int)w.Dims[0]; continue; }
            if (indices is not null && indices.Contains("input_ids", StringComparison.OrdinalIgnoreCase) || rows is null || w.Dims[0] > rows)
            {
                rows = (int)w.Dims[0];
                cols = (int)width;
            }
        }
        return (rows, cols, pos);
    }

    private static string? TraceToInput(string name, Dictionary<string, OnnxNode> producers)
    {
        for (var hop = 0; hop < 6 && producers.TryGetValue(name, out var p) && p.Inputs.Count > 0; hop++) name = p.Inputs[0];
        return name;
    }

    private static WeightPrecision DerivePrecision(OnnxGraph g, List<Linear> linears, Dictionary<string, OnnxTensor> inits)
    {
        var nbits = g.Nodes.Where(n => n.OpType == "MatMulNBits").ToList();
        if (nbits.Count > 0)
        {
            var bits = (int)(Mode(nbits.Select(n => n.IntAttr("bits") ?? 4)));
            var block = (int)Mode(nbits.Select(n => n.IntAttr("block_size") ?? 0));
            var acc = nbits.Select(n => n.IntAttr("accuracy_level")).FirstOrDefault(a => a is not null);
            var fmt = $"int{bits}";
            var catalog = bits switch { 4 => "int4", 8 => "int8", _ => null };
            var desc = $"MatMulNBits {fmt}, block size {block}" + (acc is { } a ? $", accuracy_level {a}" : "") + $" ({nbits.Count} quantized MatMuls)";
            return new WeightPrecision(fmt, "MatMulNBits", bits, block, (int?)acc, catalog, desc);
        }
        var qdq = linears.Where(l => l.Scheme == "QDQ").ToList();
        if (qdq.Count > 0)
        {
            var type = (int)Mode(qdq.Select(l => (long)l.WeightType));
            var bits = OnnxDataType.Bits(type);
            var fmt = bits == 4 ? "int4" : "int8";
            return new WeightPrecision(fmt, "QDQ", bits, null, null, fmt, $"QDQ {OnnxDataType.Name(type)} weights (DequantizeLinear → MatMul, {qdq.Count} layers)");
        }
        // Unquantized: the dominant storage type of the linear weights (by elements), else of all float initializers.
        var byType = (linears.Count > 0 ? linears.Where(l => l.Weight is not null).Select(l => l.Weight!) : g.Initializers)
            .Where(t => OnnxDataType.IsFloat(t.DataType) || OnnxDataType.Bits(t.DataType) == 8)
            .GroupBy(t => t.DataType).OrderByDescending(x => x.Sum(t => t.ElementCount)).FirstOrDefault();
        var dt = byType?.Key ?? OnnxDataType.Float;
        var (f, cat, note) = dt switch
        {
            OnnxDataType.Float16 => ("fp16", "bf16", "fp16 weights (full precision; the catalog's unquantized class is bf16)"),
            OnnxDataType.BFloat16 => ("bf16", "bf16", "bf16 weights"),
            OnnxDataType.Float => ("fp32", "bf16", "fp32 weights (full precision; the catalog's unquantized class is bf16)"),
            OnnxDataType.Double => ("fp64", "bf16", "fp64 weights"),
            OnnxDataType.Float8E4M3FN or OnnxDataType.Float8E4M3FNUZ or OnnxDataType.Float8E5M2 or OnnxDataType.Float8E5M2FNUZ => ("fp8", "fp8", $"{OnnxDataType.Name(dt)} weights"),
            _ => (OnnxDataType.Name(dt), null, $"{OnnxDataType.Name(dt)} weights"),
        };
        return new WeightPrecision(f, "float", OnnxDataType.Bits(dt), null, null, cat, note);
    }

    /// <summary>
    /// Logical parameter count: float weights by element, MatMulNBits/QDQ/GatherBlockQuantized weights by their
    /// unpacked size; quantization scales, zero points and rotary caches are not parameters.
    /// </summary>
    private static long CountParameters(OnnxGraph g, Dictionary<string, OnnxTensor> inits)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        var logical = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var n in g.Nodes)
        {
            switch (n.OpType)
            {
                case "MatMulNBits":
                    foreach (var i in n.Inputs.Skip(2)) excluded.Add(i);
                    if (n.Inputs.Count > 1 && n.IntAttr("K") is { } k && n.IntAttr("N") is { } nn) logical[n.Inputs[1]] = k * nn;
                    break;
                case "DequantizeLinear":
                    foreach (var i in n.Inputs.Skip(1)) excluded.Add(i);
                    break;
                case "GatherBlockQuantized":
                    foreach (var i in n.Inputs.Skip(2)) excluded.Add(i);
                    if (inits.TryGetValue(n.Inputs[0], out var q) && n.IntAttr("bits") is { } b && b < 8 && OnnxDataType.Bits(q.DataType) == 8)
                        logical[q.Name] = q.ElementCount * 8 / b;
                    break;
            }
        }
        long total = 0;
        foreach (var t in inits.Values)
        {
            if (excluded.Contains(t.Name)) continue;
            if (t.Name.Contains("cos_cache", StringComparison.OrdinalIgnoreCase) || t.Name.Contains("sin_cache", StringComparison.OrdinalIgnoreCase)) continue;
            if (logical.TryGetValue(t.Name, out var l)) { total += l; continue; }
            if (t.DataType is OnnxDataType.Int64 or OnnxDataType.Int32 or OnnxDataType.Bool or OnnxDataType.String) continue; // shapes, indices
            total += t.ElementCount;
        }
        return total;
    }

    private static DecoderIo ReadIo(OnnxGraph g)
    {
        var ids = g.Inputs.FirstOrDefault(i => i.Name == "input_ids");
        var pastKey = g.Inputs.FirstOrDefault(i => PastIndex().IsMatch(i.Name));
        string? Pattern(IEnumerable<OnnxValueInfo> values, Func<string, bool> pick) =>
            values.Select(v => v.Name).Where(pick).Select(n => LayerNumber().Replace(n, "%d", 1)).FirstOrDefault();
        var pastK = Pattern(g.Inputs, n => n.StartsWith("past", StringComparison.Ordinal) && !n.EndsWith("value", StringComparison.Ordinal));
        var pastV = Pattern(g.Inputs, n => n.StartsWith("past", StringComparison.Ordinal) && n.EndsWith("value", StringComparison.Ordinal));
        var presK = Pattern(g.Outputs, n => n.StartsWith("present", StringComparison.Ordinal) && !n.EndsWith("value", StringComparison.Ordinal));
        var presV = Pattern(g.Outputs, n => n.StartsWith("present", StringComparison.Ordinal) && n.EndsWith("value", StringComparison.Ordinal));
        var logits = g.Outputs.FirstOrDefault(o => o.Name == "logits")?.Name ?? (g.Outputs.Count > 0 ? g.Outputs[0].Name : null);
        return new DecoderIo(ids?.TypeName, g.Inputs.Any(i => i.Name == "attention_mask"), g.Inputs.Any(i => i.Name == "position_ids"),
            pastK, pastV, presK, presV, pastKey?.TypeName, logits);
    }

    private static long Mode(IEnumerable<long> values) => values.GroupBy(v => v).OrderByDescending(x => x.Count()).First().Key;

    [GeneratedRegex(@"^past[^0-9]*(\d+)")]
    private static partial Regex PastIndex();

    [GeneratedRegex(@"(?:layers?|\.h|blocks?)\.(\d+)\.")]
    private static partial Regex LayerIndex();

    [GeneratedRegex(@"\d+")]
    private static partial Regex LayerNumber();
}
