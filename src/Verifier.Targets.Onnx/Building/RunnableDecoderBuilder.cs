using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Building;

/// <summary>Dimensions of a tiny runnable decoder.</summary>
public sealed record TinyDecoderShape(int Layers = 2, int Hidden = 64, int Heads = 4, int KvHeads = 2, int Intermediate = 128, int Vocab = 256, int Context = 128)
{
    public int HeadDim => Hidden / Heads;
}

/// <summary>
/// Writes a small runnable GenAI-builder-style decoder with seeded random fp32 weights inline: GroupQueryAttention with
/// rotary caches (seqlens_k / total_sequence_length derived from attention_mask as the builder does), RMS norms,
/// SwiGLU MLP, q/k/v biases for Qwen2. For generation-loop tests and benchmarks.
/// </summary>
public sealed class RunnableDecoderBuilder(TinyDecoderShape shape, DecoderFamily family, int seed)
{
    private readonly Random random = new(seed);
    private readonly OnnxModelWriter w = new() { Producer = "verifier-tiny-decoder" };

    /// <summary>Optimum-style variant: a position_ids input feeding a learned position embedding (so wrong positions change logits).</summary>
    public bool PositionIds { get; init; }

    /// <summary>
    /// Bits of round-to-nearest symmetric weight quantization per output column of every projection matrix (8 or 4; 0 =
    /// full precision), applied and dequantized at build time: the graph computes in fp32 on the quantized values, as
    /// weight-only quantization (GPTQ/AWQ W4A16, W8A16) does.
    /// </summary>
    public int WeightBits { get; init; }

    /// <summary>Element type of input_ids / attention_mask / position_ids: int64 (GenAI builder) or int32.</summary>
    public int IdsType { get; init; } = OnnxDataType.Int64;

    public OnnxModelWriter Build()
    {
        var s = shape;
        var hd = s.HeadDim;
        w.Input(new ValueSpec("input_ids", IdsType, "batch_size", "sequence_length"));
        w.Input(new ValueSpec("attention_mask", IdsType, "batch_size", "total_sequence_length"));
        if (PositionIds) w.Input(new ValueSpec("position_ids", IdsType, "batch_size", "sequence_length"));
        for (var i = 0; i < s.Layers; i++)
        {
            w.Input(new ValueSpec($"past_key_values.{i}.key", OnnxDataType.Float, "batch_size", s.KvHeads, "past_sequence_length", hd));
            w.Input(new ValueSpec($"past_key_values.{i}.value", OnnxDataType.Float, "batch_size", s.KvHeads, "past_sequence_length", hd));
        }
        w.Output(new ValueSpec("logits", OnnxDataType.Float, "batch_size", "sequence_length", s.Vocab));

        // Attention bookkeeping from the mask: seqlens_k = sum(mask) - 1 (int32), total_sequence_length = mask width (int32 scalar).
        Const("one", OnnxDataType.Int64, [], [1]);
        Const("axis1", OnnxDataType.Int64, [1], [1]);
        Const("index1", OnnxDataType.Int64, [], [1]);
        w.Node("Cast", ["attention_mask"], ["mask64"], attributes: ("to", OnnxDataType.Int64));
        w.Node("ReduceSum", ["mask64", "axis1"], ["mask_sum"], attributes: ("keepdims", 0));
        w.Node("Sub", ["mask_sum", "one"], ["seqlens_k_64"]);
        w.Node("Cast", ["seqlens_k_64"], ["seqlens_k"], attributes: ("to", OnnxDataType.Int32));
        w.Node("Shape", ["attention_mask"], ["mask_shape"]);
        w.Node("Gather", ["mask_shape", "index1"], ["total_64"], attributes: ("axis", 0));
        w.Node("Cast", ["total_64"], ["total_seq_len"], attributes: ("to", OnnxDataType.Int32));
        RotaryCaches(s.Context, hd);

        Weight("model.embed_tokens.weight", 0.5, s.Vocab, s.Hidden);
        w.Node("Gather", ["model.embed_tokens.weight", "input_ids"], ["embeds"]);
        var x = "embeds";
        if (PositionIds)
        {
            Weight("model.embed_positions.weight", 0.5, s.Context, s.Hidden);
            w.Node("Gather", ["model.embed_positions.weight", "position_ids"], ["position_embeds"]);
            w.Node("Add", ["embeds", "position_embeds"], ["embeds_with_positions"]);
            x = "embeds_with_positions";
        }
        for (var i = 0; i < s.Layers; i++)
        {
            var p = $"model.layers.{i}";
            var n1 = Norm($"{p}.input_layernorm", x);
            var bias = family == DecoderFamily.Qwen2;
            var q = Linear($"{p}.attn.q_proj", n1, s.Hidden, s.Heads * hd, bias);
            var k = Linear($"{p}.attn.k_proj", n1, s.Hidden, s.KvHeads * hd, bias);
            var v = Linear($"{p}.attn.v_proj", n1, s.Hidden, s.KvHeads * hd, bias);
            w.Node("GroupQueryAttention", [q, k, v, $"past_key_values.{i}.key", $"past_key_values.{i}.value", "seqlens_k", "total_seq_len", "cos_cache", "sin_cache"],
                [$"{p}.attn.out", $"present.{i}.key", $"present.{i}.value"], "com.microsoft", $"{p}.attn.gqa",
                ("num_heads", s.Heads), ("kv_num_heads", s.KvHeads), ("do_rotary", 1), ("rotary_interleaved", 0), ("scale", 1f / MathF.Sqrt(hd)));
            w.Output(new ValueSpec($"present.{i}.key", OnnxDataType.Float, "batch_size", s.KvHeads, "total_sequence_length", hd));
            w.Output(new ValueSpec($"present.{i}.value", OnnxDataType.Float, "batch_size", s.KvHeads, "total_sequence_length", hd));
            var o = Linear($"{p}.attn.o_proj", $"{p}.attn.out", s.Heads * hd, s.Hidden, false);
            w.Node("Add", [x, o], [$"{p}.residual1"]);
            var n2 = Norm($"{p}.post_attention_layernorm", $"{p}.residual1");
            var gate = Linear($"{p}.mlp.gate_proj", n2, s.Hidden, s.Intermediate, false);
            var up = Linear($"{p}.mlp.up_proj", n2, s.Hidden, s.Intermediate, false);
            w.Node("Sigmoid", [gate], [$"{p}.mlp.sig"]);
            w.Node("Mul", [gate, $"{p}.mlp.sig"], [$"{p}.mlp.silu"]);
            w.Node("Mul", [$"{p}.mlp.silu", up], [$"{p}.mlp.act"]);
            var down = Linear($"{p}.mlp.down_proj", $"{p}.mlp.act", s.Intermediate, s.Hidden, false);
            w.Node("Add", [$"{p}.residual1", down], [$"{p}.residual2"]);
            x = $"{p}.residual2";
        }
        var final = Norm("model.norm", x);
        Weight("lm_head.weight", 0.5, s.Hidden, s.Vocab);
        w.Node("MatMul", [final, "lm_head.weight"], ["logits"]);
        return w;
    }

    private string Norm(string name, string input)
    {
        var scale = Enumerable.Range(0, shape.Hidden).Select(_ => 1f + (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        w.Initializer($"{name}.weight", OnnxDataType.Float, [shape.Hidden], Bytes(scale));
        w.Node("SimplifiedLayerNormalization", [input, $"{name}.weight"], [$"{name}.out"], attributes: [("axis", -1), ("epsilon", 1e-6f)]);
        return $"{name}.out";
    }

    private string Linear(string name, string input, int k, int n, bool bias)
    {
        Weight($"{name}.weight", 1.0 / Math.Sqrt(k), k, n);
        var mm = bias ? $"{name}.mm" : $"{name}.out";
        w.Node("MatMul", [input, $"{name}.weight"], [mm]);
        if (!bias) return mm;
        Weight($"{name}.bias", 0.1, n);
        w.Node("Add", [mm, $"{name}.bias"], [$"{name}.out"]);
        return $"{name}.out";
    }

    private void RotaryCaches(int context, int hd)
    {
        var half = hd / 2;
        var cos = new float[context * half];
        var sin = new float[context * half];
        for (var pos = 0; pos < context; pos++)
            for (var j = 0; j < half; j++)
            {
                var angle = pos / Math.Pow(10000, 2.0 * j / hd);
                cos[pos * half + j] = (float)Math.Cos(angle);
                sin[pos * half + j] = (float)Math.Sin(angle);
            }
        w.Initializer("cos_cache", OnnxDataType.Float, [context, half], Bytes(cos));
        w.Initializer("sin_cache", OnnxDataType.Float, [context, half], Bytes(sin));
    }

    private void Weight(string name, double scale, params int[] dims)
    {
        var n = dims.Aggregate(1, (a, d) => a * d);
        var values = new float[n];
        for (var i = 0; i < n; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        if (WeightBits > 0 && dims.Length == 2 && name.EndsWith("_proj.weight", StringComparison.Ordinal)) Quantize(values, dims[0], dims[1], WeightBits);
        w.Initializer(name, OnnxDataType.Float, dims.Select(d => (long)d).ToArray(), Bytes(values));
    }

    /// <summary>Symmetric per-column quantization of a [k, n] matrix to <paramref name="bits"/> bits, dequantized in place.</summary>
    private static void Quantize(float[] values, int k, int n, int bits)
    {
        var levels = (1 << (bits - 1)) - 1;
        for (var col = 0; col < n; col++)
        {
            var max = 0f;
            for (var row = 0; row < k; row++) max = Math.Max(max, Math.Abs(values[row * n + col]));
            if (max == 0) continue;
            var step = max / levels;
            for (var row = 0; row < k; row++) values[row * n + col] = MathF.Round(values[row * n + col] / step) * step;
        }
    }

    private void Const(string name, int type, long[] dims, long[] values) =>
        w.Initializer(name, type, dims, values.SelectMany(BitConverter.GetBytes).ToArray());

    private static byte[] Bytes(float[] values)
    {
        var b = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, b, 0, b.Length);
        return b;
    }
}
