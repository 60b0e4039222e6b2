namespace Verifier.Core.ChatTemplates;

using System.Diagnostics.CodeAnalysis;

/// <summary>The chat templates of the catalogued variants (the catalog's "chatTemplate" field).</summary>
[SuppressMessage("Naming", "CA1707", Justification = "The names are the catalog's values; 0528 is the release the template belongs to.")]
public enum ChatTemplateId { R1, R1_0528, DistillQwen, DistillLlama, R1_0528_Qwen3_8B, V3Chat }
