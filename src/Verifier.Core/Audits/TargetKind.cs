namespace Verifier.Core.Audits;

/// <summary>The kinds of audit target: an OpenAI-compatible endpoint ("openai") or a local ONNX model ("onnx").</summary>
public enum TargetKind { OpenAi, Onnx }
