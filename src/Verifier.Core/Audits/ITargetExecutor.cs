namespace Verifier.Core.Audits;

/// <summary>
/// One kind of target (an OpenAI-compatible endpoint, a local ONNX model) running an audit plan through
/// <see cref="AuditEngine"/>. Each kind also owns a replay (what a probe returned, rebuilt from its stored exchanges)
/// for <see cref="AuditEngine.Rescore"/>.
/// </summary>
public interface ITargetExecutor : IDisposable
{
    Task<AuditResult> RunAsync(AuditPlan plan, CancellationToken cancellationToken = default);
}
