namespace Verifier.Core.ChatTemplates;

/// <summary>The chat templates of the catalogued variants (the catalog's "chatTemplate" field).</summary>
public enum ChatTemplateId { R1, R1_0528, DistillQwen, DistillLlama, R1_0528_Qwen3_8B, V3Chat }
