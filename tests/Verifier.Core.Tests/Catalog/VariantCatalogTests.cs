namespace Verifier.Core.Tests.Catalog;

using System.Text;
using Verifier.Core.Catalog;

public class VariantCatalogTests
{
    [Fact]
    public void Default_catalog_holds_every_variant_of_the_facts_sheet()
    {
        var ids = VariantCatalog.Default.Variants.Select(v => v.Id).ToHashSet();
        string[] expected =
        [
            "deepseek-r1", "deepseek-r1-0528", "deepseek-r1-zero", "deepseek-v3",
            "r1-distill-qwen-1.5b", "r1-distill-qwen-7b", "r1-distill-qwen-14b", "r1-distill-qwen-32b",
            "r1-distill-llama-8b", "r1-distill-llama-70b", "r1-0528-qwen3-8b",
        ];
        Assert.Equal(expected.Order(), ids.Order());
    }

    [Theory]
    [InlineData("r1-distill-qwen-1.5b", 28, 1536, 12, 2, 151936)]
    [InlineData("r1-distill-qwen-7b", 28, 3584, 28, 4, 152064)]
    [InlineData("r1-distill-qwen-14b", 48, 5120, 40, 8, 152064)]
    [InlineData("r1-distill-qwen-32b", 64, 5120, 40, 8, 152064)]
    [InlineData("r1-distill-llama-8b", 32, 4096, 32, 8, 128256)]
    [InlineData("r1-distill-llama-70b", 80, 8192, 64, 8, 128256)]
    [InlineData("deepseek-r1", 61, 7168, 128, 128, 129280)]
    public void Shapes_match_the_facts_sheet(string id, int layers, int hidden, int heads, int kvHeads, int vocab)
    {
        var a = VariantCatalog.Default.Get(id).Architecture;
        Assert.Equal((layers, hidden, heads, kvHeads, vocab), (a.Layers, a.HiddenSize, a.AttentionHeads, a.KvHeads, a.VocabSize));
    }

    [Fact]
    public void Dense_parameter_counts_follow_from_the_shapes()
    {
        // Independent check: embedding + lm_head + per-layer attention (with Qwen2's q/k/v biases), MLP and norms.
        foreach (var v in VariantCatalog.Default.Variants.Where(v => v.Architecture.Moe is null && v.Family != "distill-qwen3"))
        {
            var a = v.Architecture;
            long h = a.HiddenSize, kv = (long)a.KvHeads * a.HeadDim, q = (long)a.AttentionHeads * a.HeadDim;
            var bias = a.ModelType == "qwen2" ? q + 2 * kv : 0;
            var perLayer = h * q + 2 * h * kv + q * h + bias + 3 * h * a.IntermediateSize + 2 * h;
            var total = 2 * (long)a.VocabSize * h + a.Layers * perLayer + h;
            Assert.True(total == a.Parameters, $"{v.Id}: computed {total}, catalog {a.Parameters}");
        }
    }

    [Theory]
    [InlineData("r1-distill-qwen-7b@int4", true)]
    [InlineData("deepseek-r1", true)]
    [InlineData("deepseek-r1@fp8", true)]
    [InlineData("deepseek-r1@int8", false)]
    [InlineData("r1-distill-qwen-7b@int3", false)]
    [InlineData("gpt-4o", false)]
    [InlineData("", false)]
    public void Build_ids_parse_only_catalogued_combinations(string build, bool known) =>
        Assert.Equal(known, VariantCatalog.Default.IsKnownBuild(build));

    [Fact]
    public void Invalid_catalog_names_the_bad_field()
    {
        var json = File.ReadAllText(ProbeFiles.Require("catalog/variants.json"))
            .Replace("\"tokenizer\": \"qwen\"", "\"tokenizer\": \"gpt2\"");
        var e = Assert.Throws<InvalidDataException>(() => VariantCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Contains("tokenizer 'gpt2'", e.Message);
    }

    [Fact]
    public void Unknown_field_is_rejected()
    {
        var json = File.ReadAllText(ProbeFiles.Require("catalog/variants.json")).Replace("\"layers\": 28,", "\"layer\": 28,");
        var e = Assert.Throws<InvalidDataException>(() => VariantCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Contains("layer", e.Message);
    }
}
