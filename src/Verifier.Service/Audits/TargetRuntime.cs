namespace Verifier.Service.Audits;

using Verifier.Targets.Http;
using Verifier.Targets.Onnx.Runtime;

/// <summary>How this node reaches targets: the outbound HTTP handler and client caps, the ONNX device, where warnings go.</summary>
public sealed record TargetRuntime(HttpMessageHandler Handler, ClientOptions? Client = null, OnnxDevice Device = default, Action<string>? Warn = null);
