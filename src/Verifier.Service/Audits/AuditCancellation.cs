namespace Verifier.Service.Audits;

using Verifier.Storage;

public enum CancelDecision { CancelNow, AskRunner, AlreadyAsked, AlreadyCancelled, AlreadyEnded }

/// <summary>What a cancel request does to an audit in a given state (idempotent: asking twice changes nothing more).</summary>
public static class AuditCancellation
{
    public static CancelDecision Decide(AuditStatus status, bool alreadyRequested) => status switch
    {
        AuditStatus.Queued => CancelDecision.CancelNow,
        AuditStatus.Running => alreadyRequested ? CancelDecision.AlreadyAsked : CancelDecision.AskRunner,
        AuditStatus.Cancelled => CancelDecision.AlreadyCancelled,
        _ => CancelDecision.AlreadyEnded,
    };
}
