namespace Verifier.Service.Audits;

using Verifier.Core.Audits;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Security;
using Verifier.Storage;
using Verifier.Targets.Http;
using Verifier.Targets.Onnx;
using Verifier.Targets.Onnx.Runtime;

/// <summary>What to audit: an OpenAI-compatible endpoint or a local ONNX model file, from a stored target or CLI options.</summary>
public sealed record TargetSpec(TargetKind Kind, TargetEndpoint? Endpoint = null, string? ModelPath = null)
{
    public static TargetSpec From(TargetRow target, SecretBox secrets) => target.Kind == TargetKind.Onnx
        ? new(TargetKind.Onnx, ModelPath: target.Path)
        : new(TargetKind.OpenAi, new TargetEndpoint(new Uri(target.BaseUrl!), target.Model!, Dialects.Parse(target.Dialect ?? "vllm"),
            target.ApiKeyCipher is null ? null : secrets.Open(target.ApiKeyCipher)));

    public override string ToString() => Kind == TargetKind.Onnx ? $"local ONNX model {ModelPath}" : Endpoint!.ToString();
}

/// <summary>How this node reaches targets: the outbound HTTP handler and client caps, the ONNX device, where warnings go.</summary>
public sealed record TargetRuntime(HttpMessageHandler Handler, ClientOptions? Client = null, OnnxDevice Device = default, Action<string>? Warn = null);

/// <summary>The one place a target kind becomes an executor (service job, <c>verifier audit</c>) and a replay (rescoring).</summary>
public static class TargetExecutors
{
    public static ITargetExecutor Open(TargetSpec spec, string claimedBuild, TargetRuntime runtime)
    {
        if (spec.Kind == TargetKind.OpenAi) return new HttpTarget(runtime.Handler, spec.Endpoint!, runtime.Client);
        var local = OnnxTarget.Open(spec.ModelPath!, claimedBuild, device: runtime.Device);
        if (local.DeviceWarning is { } warning) runtime.Warn?.Invoke(warning);
        return local;
    }

    public static Func<ProbeInstance, IReadOnlyList<Exchange>, ProbeExecution> Replay(TargetKind kind) =>
        kind == TargetKind.Onnx ? OnnxTarget.Replay : HttpTarget.Replay;
}
