namespace Verifier.Service.Audits;

using Verifier.Core.Audits;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Targets.Http;
using Verifier.Targets.Onnx;

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
