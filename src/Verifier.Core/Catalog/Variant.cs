namespace Verifier.Core.Catalog;

/// <summary>Mixture-of-experts and MLA dimensions of the 671B family.</summary>
public sealed record MoeConfig(
    int RoutedExperts, int SharedExperts, int ExpertsPerToken, int MoeIntermediateSize, int DenseLayers,
    int QLoraRank, int KvLoraRank, int QkNopeHeadDim, int QkRopeHeadDim, int VHeadDim);

/// <summary>config.json facts of a variant (facts sheet §0-§1).</summary>
public sealed record ArchitectureConfig(
    IReadOnlyList<string> Architectures,
    string ModelType,
    int Layers,
    int HiddenSize,
    int IntermediateSize,
    int AttentionHeads,
    int KvHeads,
    int HeadDim,
    int VocabSize,
    int MaxPositionEmbeddings,
    double RopeTheta,
    bool TieWordEmbeddings,
    long Parameters,
    MoeConfig? Moe = null);

/// <summary>Published benchmark scores in percent (Codeforces as a rating); missing where not published.</summary>
public sealed record PublishedScores(
    double? Aime24 = null, double? Math500 = null, double? GpqaDiamond = null, double? LiveCodeBench = null, double? CodeforcesRating = null);

public sealed record VariantBehaviour(bool Reasons, bool EmitsOpeningThinkTag, bool SystemPromptSupported, int TypicalReasoningTokens);

/// <summary>One catalogued model. Ids are stable strings such as "deepseek-r1" or "r1-distill-qwen-7b".</summary>
public sealed record Variant(
    string Id,
    string DisplayName,
    string Family,
    string HuggingFace,
    string Tokenizer,
    string ChatTemplate,
    int ContextWindow,
    ArchitectureConfig Architecture,
    PublishedScores PublishedScores,
    VariantBehaviour Behaviour,
    IReadOnlyList<string> Precisions,
    string NativePrecision,
    IReadOnlyList<string> Sources);

/// <summary>A numeric precision a build can ship in, with its published accuracy recovery (share of full-precision scores kept).</summary>
public sealed record Precision(string Id, double Bits, string Kind, double AccuracyRecovery, double? SmallModelRecovery, string Note);
