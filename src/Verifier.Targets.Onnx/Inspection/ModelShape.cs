namespace Verifier.Targets.Onnx.Inspection;

/// <summary>Architecture numbers of a decoder; null where the source does not tell.</summary>
public sealed record ModelShape(
    int? Layers = null,
    int? HiddenSize = null,
    int? IntermediateSize = null,
    int? AttentionHeads = null,
    int? KvHeads = null,
    int? HeadDim = null,
    int? VocabSize = null,
    int? ContextLength = null,
    long? Parameters = null)
{
    public static readonly string[] FieldNames =
        ["layers", "hiddenSize", "intermediateSize", "attentionHeads", "kvHeads", "headDim", "vocabSize", "contextLength", "parameters"];

    public long? Get(string field) => field switch
    {
        "layers" => Layers, "hiddenSize" => HiddenSize, "intermediateSize" => IntermediateSize,
        "attentionHeads" => AttentionHeads, "kvHeads" => KvHeads, "headDim" => HeadDim, "vocabSize" => VocabSize,
        "contextLength" => ContextLength, "parameters" => Parameters,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };
}

/// <summary>How the weights are stored: fp32/fp16/bf16/fp8, MatMulNBits (bits, block size) or QDQ int8.</summary>
/// <param name="Format">fp32, fp16, bf16, fp8, int4, int8 (…).</param>
/// <param name="Scheme">"float", "MatMulNBits", "QDQ" or "GatherBlockQuantized".</param>
/// <param name="CatalogPrecision">The catalog's precision id this corresponds to (bf16 stands for any unquantized float build).</param>
public sealed record WeightPrecision(string Format, string Scheme, int? Bits, int? BlockSize, int? AccuracyLevel, string? CatalogPrecision, string Description);

/// <summary>Decoder input/output conventions read from the graph.</summary>
public sealed record DecoderIo(
    string? InputIdsType,
    bool HasAttentionMask,
    bool HasPositionIds,
    string? PastKeyPattern,
    string? PastValuePattern,
    string? PresentKeyPattern,
    string? PresentValuePattern,
    string? KvCacheType,
    string? LogitsName);

/// <summary>An external-data file referenced by initializers (not read during inspection).</summary>
public sealed record ExternalDataFile(string Location, int Tensors, long ReferencedBytes, bool Exists, long? SizeOnDisk);
