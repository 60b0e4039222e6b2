using Verifier.Core.Catalog;
using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Building;

public enum BuildWeights { Fp16, Fp32, Int4MatMulNBits, Int8Qdq }

/// <summary>Which decoder flavour to lay out (Qwen2 has q/k/v biases, Qwen3 q/k norms, Llama neither).</summary>
public enum DecoderFamily { Qwen2, Qwen3, Llama }

/// <summary>
/// Lays out an ORT-GenAI-builder-style decoder graph (GroupQueryAttention with rotary caches, RMS norms, SwiGLU MLP,
/// past_key_values.%d → present.%d) with a variant's dimensions. All weights are external-data references to a file
/// that need not exist, so R1-sized graphs are a few hundred KB: they serve inspection tests, not inference.
/// </summary>
public sealed class DecoderGraphBuilder
{
    private readonly ArchitectureConfig a;
    private readonly DecoderFamily family;
    private readonly BuildWeights weights;
    private readonly int blockSize;
    private readonly OnnxModelWriter w = new() { Producer = "onnxruntime-genai" };
    private long offset;
    private const string DataFile = "model.onnx.data";

    public DecoderGraphBuilder(ArchitectureConfig architecture, DecoderFamily family, BuildWeights weights, int blockSize = 32)
    {
        a = architecture;
        this.family = family;
        this.weights = weights;
        this.blockSize = blockSize;
    }

    /// <summary>Leave the embedding out of the external data so the caller can write it inline (SaveWithSparseInitializer).</summary>
    public bool InlineEmbedding { get; init; }

    /// <summary>
    /// Optimum-style attention instead of GroupQueryAttention: the cache concatenates at the KV-head count, repeat_kv
    /// expands keys and values to every attention head, and MultiHeadAttention's num_heads is the attention-head count.
    /// </summary>
    public bool RepeatKvMultiHeadAttention { get; init; }

    public const string EmbeddingName = "model.embed_tokens.weight";

    public static DecoderFamily FamilyOf(ArchitectureConfig a) => a.ModelType switch
    {
        "qwen2" => DecoderFamily.Qwen2,
        "qwen3" => DecoderFamily.Qwen3,
        "llama" => DecoderFamily.Llama,
        _ => throw new ArgumentException($"No decoder layout for model type '{a.ModelType}'."),
    };

    public OnnxModelWriter Build()
    {
        var hd = a.HeadDim;
        var floatType = weights == BuildWeights.Fp32 ? OnnxDataType.Float : OnnxDataType.Float16;
        w.Input(new ValueSpec("input_ids", OnnxDataType.Int64, "batch_size", "sequence_length"));
        w.Input(new ValueSpec("attention_mask", OnnxDataType.Int64, "batch_size", "total_sequence_length"));
        for (var i = 0; i < a.Layers; i++)
        {
            w.Input(new ValueSpec($"past_key_values.{i}.key", floatType, "batch_size", a.KvHeads, "past_sequence_length", hd));
            w.Input(new ValueSpec($"past_key_values.{i}.value", floatType, "batch_size", a.KvHeads, "past_sequence_length", hd));
        }
        w.Output(new ValueSpec("logits", OnnxDataType.Float, "batch_size", "sequence_length", a.VocabSize));

        if (!InlineEmbedding) Weight(EmbeddingName, floatType, a.VocabSize, a.HiddenSize);
        w.Node("Gather", ["model.embed_tokens.weight", "input_ids"], ["embeds"]);
        Weight("cos_cache", floatType, a.MaxPositionEmbeddings, hd / 2);
        Weight("sin_cache", floatType, a.MaxPositionEmbeddings, hd / 2);
        var x = "embeds";
        for (var i = 0; i < a.Layers; i++)
        {
            var p = $"model.layers.{i}";
            var n1 = Norm($"{p}.input_layernorm", x);
            var q = Linear($"{p}.attn.q_proj", n1, a.HiddenSize, a.AttentionHeads * hd, family == DecoderFamily.Qwen2);
            var k = Linear($"{p}.attn.k_proj", n1, a.HiddenSize, a.KvHeads * hd, family == DecoderFamily.Qwen2);
            var v = Linear($"{p}.attn.v_proj", n1, a.HiddenSize, a.KvHeads * hd, family == DecoderFamily.Qwen2);
            if (family == DecoderFamily.Qwen3)
            {
                q = Norm($"{p}.attn.q_norm", q, hd);
                k = Norm($"{p}.attn.k_norm", k, hd);
            }
            if (RepeatKvMultiHeadAttention) RepeatKvAttention(p, i, q, k, v);
            else
                w.Node("GroupQueryAttention", [q, k, v, $"past_key_values.{i}.key", $"past_key_values.{i}.value", "seqlens_k", "total_seq_len", "cos_cache", "sin_cache"],
                    [$"{p}.attn.out", $"present.{i}.key", $"present.{i}.value"], "com.microsoft", $"{p}.attn.GroupQueryAttention",
                    ("num_heads", a.AttentionHeads), ("kv_num_heads", a.KvHeads), ("do_rotary", 1), ("scale", 1f / MathF.Sqrt(hd)));
            w.Output(new ValueSpec($"present.{i}.key", floatType, "batch_size", a.KvHeads, "total_sequence_length", hd));
            w.Output(new ValueSpec($"present.{i}.value", floatType, "batch_size", a.KvHeads, "total_sequence_length", hd));
            var o = Linear($"{p}.attn.o_proj", $"{p}.attn.out", a.AttentionHeads * hd, a.HiddenSize, false);
            var r1 = Add($"{p}.residual1", x, o);
            var n2 = Norm($"{p}.post_attention_layernorm", r1);
            var gate = Linear($"{p}.mlp.gate_proj", n2, a.HiddenSize, a.IntermediateSize, false);
            var up = Linear($"{p}.mlp.up_proj", n2, a.HiddenSize, a.IntermediateSize, false);
            w.Node("Sigmoid", [gate], [$"{p}.mlp.sig"]);
            w.Node("Mul", [gate, $"{p}.mlp.sig"], [$"{p}.mlp.silu"]);
            w.Node("Mul", [$"{p}.mlp.silu", up], [$"{p}.mlp.act"]);
            var down = Linear($"{p}.mlp.down_proj", $"{p}.mlp.act", a.IntermediateSize, a.HiddenSize, false);
            x = Add($"{p}.residual2", r1, down);
        }
        var final = Norm("model.norm", x);
        var logits = Linear("lm_head", final, a.HiddenSize, a.VocabSize, false);
        w.Node("Cast", [logits], ["logits"], attributes: ("to", OnnxDataType.Float));
        return w;
    }

    /// <summary>past ⧺ new key/value → present (KV heads), then each expanded to all heads for MultiHeadAttention (shape inputs left symbolic).</summary>
    private void RepeatKvAttention(string p, int layer, string q, string k, string v)
    {
        foreach (var (kind, x) in new[] { ("key", k), ("value", v) })
        {
            w.Node("Reshape", [x, $"{p}.attn.kv_shape"], [$"{p}.attn.{kind}.bnsh"]);
            w.Node("Concat", [$"past_key_values.{layer}.{kind}", $"{p}.attn.{kind}.bnsh"], [$"present.{layer}.{kind}"], attributes: ("axis", 2));
            w.Node("Expand", [$"present.{layer}.{kind}", $"{p}.attn.repeat_kv_shape"], [$"{p}.attn.{kind}.repeated"]);
        }
        w.Node("MultiHeadAttention", [q, $"{p}.attn.key.repeated", $"{p}.attn.value.repeated"], [$"{p}.attn.out"], "com.microsoft", $"{p}.attn.MultiHeadAttention",
            ("num_heads", a.AttentionHeads), ("scale", 1f / MathF.Sqrt(a.HeadDim)));
    }

    private string Norm(string name, string input, int? width = null)
    {
        Weight($"{name}.weight", OnnxDataType.Float16, width ?? a.HiddenSize);
        w.Node("SimplifiedLayerNormalization", [input, $"{name}.weight"], [$"{name}.out"], attributes: ("epsilon", 1e-6f));
        return $"{name}.out";
    }

    private string Add(string name, string x, string y)
    {
        w.Node("Add", [x, y], [$"{name}.out"]);
        return $"{name}.out";
    }

    private string Linear(string name, string input, int k, int n, bool bias)
    {
        var output = $"{name}.out";
        var mm = bias ? $"{name}.mm" : output;
        switch (weights)
        {
            case BuildWeights.Fp16 or BuildWeights.Fp32:
                Weight($"{name}.weight", weights == BuildWeights.Fp32 ? OnnxDataType.Float : OnnxDataType.Float16, k, n);
                w.Node("MatMul", [input, $"{name}.weight"], [mm]);
                break;
            case BuildWeights.Int4MatMulNBits:
                var blocks = (k + blockSize - 1) / blockSize;
                Weight($"{name}.weight.q", OnnxDataType.UInt8, n, blocks, blockSize / 2);
                Weight($"{name}.weight.scales", OnnxDataType.Float16, (long)n * blocks);
                w.Node("MatMulNBits", [input, $"{name}.weight.q", $"{name}.weight.scales"], [mm], "com.microsoft", null,
                    ("K", k), ("N", n), ("bits", 4), ("block_size", blockSize), ("accuracy_level", 4));
                break;
            case BuildWeights.Int8Qdq:
                Weight($"{name}.weight.q", OnnxDataType.Int8, k, n);
                Weight($"{name}.weight.scale", OnnxDataType.Float16, n);
                Weight($"{name}.weight.zp", OnnxDataType.Int8, n);
                w.Node("DequantizeLinear", [$"{name}.weight.q", $"{name}.weight.scale", $"{name}.weight.zp"], [$"{name}.weight.dq"], attributes: ("axis", 1));
                w.Node("MatMul", [input, $"{name}.weight.dq"], [mm]);
                break;
        }
        if (bias)
        {
            Weight($"{name}.bias", OnnxDataType.Float16, n);
            w.Node("Add", [mm, $"{name}.bias"], [output]);
        }
        return output;
    }

    private void Weight(string name, int type, params long[] dims)
    {
        var bytes = dims.Aggregate(1L, (x, d) => x * d) * OnnxDataType.Bits(type) / 8;
        w.ExternalInitializer(name, type, dims, DataFile, offset, bytes);
        offset += bytes;
    }

    private void Weight(string name, int type, int d0, int d1) => Weight(name, type, (long)d0, d1);
    private void Weight(string name, int type, int d0, int d1, int d2) => Weight(name, type, (long)d0, d1, d2);
    private void Weight(string name, int type, int d0) => Weight(name, type, (long)d0);
}
