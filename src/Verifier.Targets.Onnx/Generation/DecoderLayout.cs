using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Verifier.Targets.Onnx.Generation;

/// <summary>One KV-cache slot: which input it is fed to and which output refreshes it, with its empty-cache shape.</summary>
public sealed record KvSlot(string PastName, string PresentName, TensorElementType ElementType, long[] EmptyShape);

/// <summary>
/// How to drive a decoder export, read from the session itself: ids type, optional attention_mask and position_ids,
/// and past → present pairs for the GenAI builder (past_key_values.%d.key → present.%d.key), Optimum
/// (same names), GPT-2 style past_%d → present_%d and past.%d.key → present.%d.key.
/// </summary>
public sealed record DecoderLayout(
    string InputIds,
    TensorElementType IdsType,
    string? AttentionMask,
    TensorElementType MaskType,
    string? PositionIds,
    TensorElementType PositionType,
    string Logits,
    IReadOnlyList<KvSlot> Kv)
{
    /// <summary>The logits' element type and, when the session declares it, the vocabulary width (read once, not per step).</summary>
    public (TensorElementType Type, int? Vocab) LogitsInfo { get; init; }

    public static DecoderLayout FromSession(InferenceSession s)
    {
        var inputs = s.InputMetadata;
        var outputs = s.OutputNames.ToHashSet();
        if (!inputs.TryGetValue("input_ids", out var ids)) throw new InvalidDataException("The model has no 'input_ids' input: not a decoder export.");
        var logits = outputs.Contains("logits") ? "logits" : s.OutputNames[0];
        var kv = new List<KvSlot>();
        foreach (var name in s.InputNames.Where(n => n.StartsWith("past", StringComparison.Ordinal)))
        {
            var present = PresentFor(name, outputs)
                ?? throw new InvalidDataException($"No present output pairs with cache input '{name}'.");
            // Symbolic dims (-1): the first is the batch (1), the next the past length (0 = empty cache).
            var shape = inputs[name].Dimensions.Select(d => (long)d).ToArray();
            var symbolic = 0;
            for (var d = 0; d < shape.Length; d++)
                if (shape[d] < 0) shape[d] = symbolic++ == 0 ? 1 : 0;
            kv.Add(new KvSlot(name, present, inputs[name].ElementDataType, shape));
        }
        inputs.TryGetValue("attention_mask", out var mask);
        inputs.TryGetValue("position_ids", out var pos);
        var unknown = s.InputNames.Except(["input_ids", "attention_mask", "position_ids", .. kv.Select(k => k.PastName)]).ToList();
        if (unknown.Count > 0) throw new InvalidDataException($"Unsupported decoder inputs: {string.Join(", ", unknown)}.");
        return new DecoderLayout("input_ids", ids.ElementDataType, mask is null ? null : "attention_mask", mask?.ElementDataType ?? TensorElementType.Int64,
            pos is null ? null : "position_ids", pos?.ElementDataType ?? TensorElementType.Int64, logits, kv)
        {
            LogitsInfo = (s.OutputMetadata[logits].ElementDataType, s.OutputMetadata[logits].Dimensions is [.., > 0 and var v] ? v : null),
        };
    }

    private static string? PresentFor(string past, HashSet<string> outputs)
    {
        string[] candidates =
        [
            past.Replace("past_key_values", "present", StringComparison.Ordinal),
            past.Replace("past", "present", StringComparison.Ordinal),
            "present" + past["past".Length..].Replace("_key_values", "", StringComparison.Ordinal),
        ];
        return candidates.FirstOrDefault(outputs.Contains);
    }
}
