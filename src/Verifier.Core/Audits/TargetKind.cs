namespace Verifier.Core.Audits;

/// <summary>The kinds of audit target: an OpenAI-compatible endpoint or a local ONNX model.</summary>
public enum TargetKind { OpenAi, Onnx }

/// <summary>The names a target kind has in the API, the CLI and the database.</summary>
public static class TargetKinds
{
    public static readonly IReadOnlyList<string> Names = ["openai", "onnx"];

    public static string Name(TargetKind kind) => kind == TargetKind.Onnx ? "onnx" : "openai";

    public static bool TryParse(string? name, out TargetKind kind)
    {
        kind = name == "onnx" ? TargetKind.Onnx : TargetKind.OpenAi;
        return name is "openai" or "onnx";
    }

    public static TargetKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new ArgumentException($"'{name}' is not a target kind ({string.Join(", ", Names)}).", nameof(name));
}
