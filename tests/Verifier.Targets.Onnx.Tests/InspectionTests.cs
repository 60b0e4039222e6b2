using Verifier.Core.Catalog;
using Verifier.Targets.Onnx.Building;
using Verifier.Targets.Onnx.Graph;
using Verifier.Targets.Onnx.Inspection;

namespace Verifier.Targets.Onnx.Tests;

public sealed class InspectionTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("verifier-inspect-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    public static readonly string[] Distills =
        ["r1-distill-qwen-1.5b", "r1-distill-qwen-7b", "r1-distill-qwen-14b", "r1-distill-qwen-32b", "r1-distill-llama-8b", "r1-distill-llama-70b", "r1-0528-qwen3-8b"];

    public static TheoryData<string, BuildWeights, int> DistillBuilds()
    {
        var data = new TheoryData<string, BuildWeights, int>();
        foreach (var id in Distills)
        {
            data.Add(id, BuildWeights.Fp16, 0);
            data.Add(id, BuildWeights.Int4MatMulNBits, 32);
            data.Add(id, BuildWeights.Int4MatMulNBits, 128);
            data.Add(id, BuildWeights.Int8Qdq, 0);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DistillBuilds))]
    public void Identifies_every_distill_at_every_precision_from_the_graph_alone(string variantId, BuildWeights weights, int block)
    {
        var arch = VariantCatalog.Default.Get(variantId).Architecture;
        var path = Path.Combine(dir, "model.onnx");
        new DecoderGraphBuilder(arch, DecoderGraphBuilder.FamilyOf(arch), weights, block).Build().Save(path);

        var r = OnnxInspector.Inspect(path);

        Assert.Equal(InspectionVerdictKind.Identified, r.Verdict.Kind);
        Assert.Equal(variantId, r.Verdict.VariantId);
        Assert.Empty(r.ConfigFiles);
        Assert.Equal(arch.Layers, r.FromGraph.Layers);
        Assert.Equal(arch.HiddenSize, r.FromGraph.HiddenSize);
        Assert.Equal(arch.IntermediateSize, r.FromGraph.IntermediateSize);
        Assert.Equal(arch.AttentionHeads, r.FromGraph.AttentionHeads);
        Assert.Equal(arch.KvHeads, r.FromGraph.KvHeads);
        Assert.Equal(arch.HeadDim, r.FromGraph.HeadDim);
        Assert.Equal(arch.VocabSize, r.FromGraph.VocabSize);
        Assert.Equal(arch.MaxPositionEmbeddings, r.FromGraph.ContextLength);
        Assert.InRange(r.FromGraph.Parameters!.Value, arch.Parameters * 0.999, arch.Parameters * 1.001);
        Assert.Equal("GroupQueryAttention", r.AttentionOperator);
        var (format, scheme, catalogId) = weights switch
        {
            BuildWeights.Fp16 => ("fp16", "float", "bf16"),
            BuildWeights.Int4MatMulNBits => ("int4", "MatMulNBits", "int4"),
            _ => ("int8", "QDQ", "int8"),
        };
        Assert.Equal(format, r.Precision.Format);
        Assert.Equal(scheme, r.Precision.Scheme);
        Assert.Equal(catalogId, r.Verdict.PrecisionId);
        if (weights == BuildWeights.Int4MatMulNBits) Assert.Equal(block, r.Precision.BlockSize);
        Assert.All(r.Verdict.Best!.Fields, f => Assert.True(f.Matches, f.Field));
        var ext = Assert.Single(r.ExternalData);
        Assert.Equal("model.onnx.data", ext.Location);
        Assert.False(ext.Exists);
        Assert.Equal("int64", r.Io.InputIdsType);
        Assert.Equal("past_key_values.%d.key", r.Io.PastKeyPattern);
        Assert.Equal("present.%d.value", r.Io.PresentValuePattern);
        Assert.False(r.Io.HasPositionIds);
    }

    [Fact]
    public void A_shape_outside_the_catalog_is_no_match_with_the_differing_fields()
    {
        var arch = VariantCatalog.Default.Get("r1-distill-qwen-14b").Architecture with { Layers = 40 }; // neither 14B (48) nor 32B (64)
        var path = Path.Combine(dir, "model.onnx");
        new DecoderGraphBuilder(arch, DecoderFamily.Qwen2, BuildWeights.Fp16).Build().Save(path);

        var r = OnnxInspector.Inspect(path);

        Assert.Equal(InspectionVerdictKind.NoMatch, r.Verdict.Kind);
        Assert.StartsWith("No catalogued variant matches", r.Verdict.Summary);
        Assert.Contains(r.Verdict.Best!.Fields, f => f.Field == "layers" && !f.Matches);
    }

    [Theory]
    [InlineData("r1-distill-qwen-7b")]
    [InlineData("r1-distill-llama-8b")]
    public void Optimum_multi_head_attention_over_repeat_kv_keys_takes_kv_heads_from_the_cache_with_a_note(string variantId)
    {
        // MultiHeadAttention num_heads = attention heads (28 / 32); the past/present inputs carry the true KV heads (4 / 8).
        var arch = VariantCatalog.Default.Get(variantId).Architecture;
        var path = Path.Combine(dir, "model.onnx");
        new DecoderGraphBuilder(arch, DecoderGraphBuilder.FamilyOf(arch), BuildWeights.Fp16) { RepeatKvMultiHeadAttention = true }.Build().Save(path);

        var r = OnnxInspector.Inspect(path);

        Assert.Equal("MultiHeadAttention", r.AttentionOperator);
        Assert.Equal(arch.AttentionHeads, r.FromGraph.AttentionHeads);
        Assert.Equal(arch.KvHeads, r.FromGraph.KvHeads);
        Assert.Equal(variantId, r.Verdict.VariantId);
        Assert.Equal(InspectionVerdictKind.Identified, r.Verdict.Kind);
        Assert.Contains(r.Notes, n => n.Contains($"num_heads {arch.AttentionHeads} but the KV cache holds {arch.KvHeads} heads", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_that_disagrees_with_the_graph_is_noted_and_the_graph_wins()
    {
        // A 1.5B graph whose genai_config claims the 7B shape (a renamed build).
        var arch = VariantCatalog.Default.Get("r1-distill-qwen-1.5b").Architecture;
        var path = Path.Combine(dir, "model.onnx");
        new DecoderGraphBuilder(arch, DecoderFamily.Qwen2, BuildWeights.Int4MatMulNBits).Build().Save(path);
        File.WriteAllText(Path.Combine(dir, "genai_config.json"), """
            {"model":{"type":"qwen2","vocab_size":152064,"context_length":131072,
              "decoder":{"filename":"model.onnx","hidden_size":3584,"head_size":128,"num_attention_heads":28,"num_hidden_layers":28,"num_key_value_heads":4}}}
            """);

        var r = OnnxInspector.Inspect(dir);

        Assert.Equal("r1-distill-qwen-1.5b", r.Verdict.VariantId);
        Assert.Equal(3584, r.FromConfig!.HiddenSize);
        Assert.Contains(r.Notes, n => n.Contains("disagree on hiddenSize", StringComparison.Ordinal));
        Assert.Contains(r.Notes, n => n.Contains("disagree on vocabSize", StringComparison.Ordinal));
    }

    [Fact]
    public void Tiny_random_llama_genai_export_is_read_with_its_config()
    {
        var r = OnnxInspector.Inspect(TestModels.TinyLlama);

        Assert.Equal(new ModelShape(2, 16, 64, 1, 1, 16, 32000, 2048, r.FromGraph.Parameters), r.FromGraph);
        Assert.Equal("GroupQueryAttention", r.AttentionOperator);
        Assert.Equal("fp32", r.Precision.Format);
        Assert.Contains("genai_config.json", r.ConfigFiles);
        Assert.DoesNotContain(r.Notes, n => n.Contains("disagree", StringComparison.Ordinal));
        Assert.Equal(InspectionVerdictKind.NoMatch, r.Verdict.Kind);
        var ext = Assert.Single(r.ExternalData);
        Assert.False(ext.Exists);
        // Sum of the referenced initializer sizes (fp32) equals what the graph says the data file holds.
        Assert.Equal(ext.ReferencedBytes, r.FromGraph.Parameters * 4 + 2048 * 8 * 4 * 2);
    }

    [Fact]
    public void Tiny_random_gpt2_io_is_read()
    {
        var r = OnnxInspector.Inspect(TestModels.Gpt2Folder);

        Assert.Equal(5, r.FromGraph.Layers);
        Assert.Equal(4, r.FromGraph.AttentionHeads);
        Assert.Equal(8, r.FromGraph.HeadDim);
        Assert.Equal(1000, r.FromGraph.VocabSize);
        Assert.Equal("int32", r.Io.InputIdsType);
        Assert.True(r.Io.HasPositionIds);
        Assert.Equal("past_%d", r.Io.PastKeyPattern);
        Assert.Equal("Attention", r.AttentionOperator);
    }

    [Fact]
    public void Large_inline_weights_are_skipped_not_read()
    {
        var arch = VariantCatalog.Default.Get("r1-distill-llama-8b").Architecture;
        var path = Path.Combine(dir, "big.onnx");
        const long payload = 512L * 1024 * 1024; // sparse: costs no disk
        new DecoderGraphBuilder(arch, DecoderFamily.Llama, BuildWeights.Fp16).Build()
            .SaveWithSparseInitializer(path, "extra.weight", OnnxDataType.Float16, [payload / 2], payload);

        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read);
        var graph = OnnxGraphReader.Read(fs, out var bytesRead);

        var big = Assert.Single(graph.Initializers, t => t.Name == "extra.weight");
        Assert.Equal(payload, big.Data!.Length);
        Assert.False(big.Data.External);
        Assert.True(fs.Length > payload);
        Assert.InRange(bytesRead, 1, fs.Length - payload + 64 * 1024); // structure plus at most one buffer
        Assert.Equal(arch.Layers * 2, graph.Inputs.Count(i => i.Name.StartsWith("past_", StringComparison.Ordinal)));
    }

    [Fact]
    public void Truncated_file_is_a_clear_error()
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestModels.TinyLlama, "model.onnx"));
        var path = Path.Combine(dir, "cut.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => OnnxInspector.Inspect(path));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }
}
