namespace Verifier.Targets.Onnx.Runtime;

/// <summary>
/// The requested execution provider cannot run here. The message is one line meant for a user (no ONNX Runtime
/// source locations); an InvalidOperationException so command-line guards print it without a stack trace.
/// </summary>
public sealed class OnnxDeviceUnavailableException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
