using System.Text.Json;

namespace Verifier.Targets.Onnx.Inspection;

/// <summary>What genai_config.json / config.json claim (claims only: the graph is the witness).</summary>
public sealed record ConfigFacts(ModelShape Shape, string? ModelType, string? DecoderFileName, IReadOnlyList<string> FilesRead, IReadOnlyList<string> Notes);

/// <summary>Reads the ORT-GenAI genai_config.json and the Hugging Face config.json next to a model, when present.</summary>
public static class ModelConfigReader
{
    public static ConfigFacts Read(string folder)
    {
        var notes = new List<string>();
        var files = new List<string>();
        var shape = new ModelShape();
        string? type = null, decoderFile = null;

        var genai = Path.Combine(folder, "genai_config.json");
        if (TryParse(genai, notes) is { } gdoc)
        {
            files.Add("genai_config.json");
            using (gdoc)
            {
                if (gdoc.RootElement.TryGetProperty("model", out var m))
                {
                    type = Str(m, "type");
                    var d = m.TryGetProperty("decoder", out var dd) ? dd : default;
                    decoderFile = d.ValueKind == JsonValueKind.Object ? Str(d, "filename") : null;
                    var heads = Int(d, "num_attention_heads");
                    var headSize = Int(d, "head_size");
                    shape = new ModelShape(
                        Layers: Int(d, "num_hidden_layers"),
                        HiddenSize: Int(d, "hidden_size") ?? (heads * headSize),
                        AttentionHeads: heads,
                        KvHeads: Int(d, "num_key_value_heads"),
                        HeadDim: headSize,
                        VocabSize: Int(m, "vocab_size"),
                        ContextLength: Int(m, "context_length"));
                }
            }
        }

        var hf = Path.Combine(folder, "config.json");
        if (TryParse(hf, notes) is { } cdoc)
        {
            files.Add("config.json");
            using (cdoc)
            {
                var c = cdoc.RootElement;
                if (c.ValueKind == JsonValueKind.Object)
                {
                    var heads = Int(c, "num_attention_heads") ?? Int(c, "n_head");
                    var hidden = Int(c, "hidden_size") ?? Int(c, "n_embd");
                    var fromHf = new ModelShape(
                        Layers: Int(c, "num_hidden_layers") ?? Int(c, "n_layer"),
                        HiddenSize: hidden,
                        IntermediateSize: Int(c, "intermediate_size") ?? Int(c, "n_inner"),
                        AttentionHeads: heads,
                        KvHeads: Int(c, "num_key_value_heads") ?? heads,
                        HeadDim: Int(c, "head_dim") ?? (hidden / heads),
                        VocabSize: Int(c, "vocab_size"),
                        ContextLength: Int(c, "max_position_embeddings") ?? Int(c, "n_positions"));
                    foreach (var f in ModelShape.FieldNames)
                    {
                        if (shape.Get(f) is { } a && fromHf.Get(f) is { } b && a != b)
                            notes.Add($"genai_config.json and config.json disagree on {f}: {a} vs {b}.");
                    }
                    shape = Merge(shape, fromHf);
                    type ??= Str(c, "model_type");
                }
            }
        }
        return new ConfigFacts(shape, type, decoderFile, files, notes);
    }

    /// <summary>Field-wise: the first source's value where it has one, else the second's.</summary>
    public static ModelShape Merge(ModelShape first, ModelShape second) => new(
        first.Layers ?? second.Layers, first.HiddenSize ?? second.HiddenSize, first.IntermediateSize ?? second.IntermediateSize,
        first.AttentionHeads ?? second.AttentionHeads, first.KvHeads ?? second.KvHeads, first.HeadDim ?? second.HeadDim,
        first.VocabSize ?? second.VocabSize, first.ContextLength ?? second.ContextLength, first.Parameters ?? second.Parameters);

    private static JsonDocument? TryParse(string path, List<string> notes)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            notes.Add($"{Path.GetFileName(path)} is not valid JSON ({new FileInfo(path).Length} bytes): {e.Message}");
            return null;
        }
    }

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
