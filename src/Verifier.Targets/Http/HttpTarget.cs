namespace Verifier.Targets.Http;

using Verifier.Core.Audits;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;

/// <summary>
/// An OpenAI-compatible endpoint as an audit target: wires the plan's budget (requests, wall time) into the client's
/// per-attempt budget (the wall-time deadline also cuts a request in flight) and the client's ExecuteAsync into
/// <see cref="AuditEngine.RunAsync"/>. The handler belongs to the caller (one per service node, pooled).
/// </summary>
public sealed class HttpTarget(HttpMessageHandler handler, TargetEndpoint endpoint, ClientOptions? options = null, TimeProvider? time = null) : ITargetExecutor
{
    private readonly TimeProvider time = time ?? TimeProvider.System;

    public Task<AuditResult> RunAsync(AuditPlan plan, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp(); // before the deadline: when the client stops at it, the engine sees the time spent
        var budget = new AttemptBudget(plan.Budget.MaxRequests, time.GetUtcNow() + plan.Budget.MaxWallTime, time);
        var client = new TargetClient(handler, endpoint, options, new ExchangeLog(), budget, time);
        return AuditEngine.RunAsync(plan, client.ExecuteAsync, time, started, cancellationToken);
    }

    /// <summary>What a probe returned, rebuilt from its stored HTTP exchanges (<see cref="ExchangeReplay"/>).</summary>
    public static ProbeExecution Replay(ProbeInstance instance, IReadOnlyList<Exchange> exchanges) => ExchangeReplay.ToExecution(instance, exchanges);

    public void Dispose() { }
}
