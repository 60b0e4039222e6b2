namespace Verifier.Targets.Onnx.Runtime;

/// <summary>How to open an inference session: CPU thread pools (0 = ONNX Runtime's default) and the device.</summary>
public sealed record OnnxSessionSettings(int IntraOpThreads = 0, int InterOpThreads = 1, OnnxDevice Device = default);
