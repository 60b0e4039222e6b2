namespace Verifier.Targets.Audits;

using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Probes;

/// <summary>
/// Builds the audit plan (candidate probe instances from a seed) and scores executed probes. Every caller — the
/// scheduled/spot job, `verifier audit`, the accuracy bench and rescoring — goes through here so they agree.
/// </summary>
public static class AuditSuite
{
    public const string Version = "0.1-minimal";

    public static AuditPlan Plan(string claimedBuild, AuditBudget budget, int seed)
    {
        List<ProbeInstance> candidates =
        [
            new("meta-models", "metadata.models", ProbeCategory.Metadata, "claims", seed, [ProbeRequest.Get("/v1/models")], "", 0),
            new("hello", "behaviour.hello", ProbeCategory.Behaviour, "hello", seed,
                [ProbeRequest.Chat([ChatMessage.User("Say hello in one word.")], 256)], "", 300),
        ];
        return new AuditPlan(claimedBuild, VariantCatalog.Default, candidates, budget, Version, Version);
    }

    public static ProbeInstance Regenerate(ProbeRecord record, string claimedBuild, AuditBudget budget) =>
        Plan(claimedBuild, budget, record.Seed).Candidates.First(c => c.ProbeId == record.ProbeId);

    public static ProbeOutcome Score(ProbeInstance instance, ProbeExecution execution)
    {
        var seqs = execution.Exchanges.Select(e => e.Sequence).ToList();
        var last = execution.Responses[^1];
        var observed = last.Delivered ? $"HTTP {last.StatusCode}" : $"failed: {last.Failure}";
        return new ProbeOutcome(instance.ProbeId, instance.Category, instance.Tier, last.Delivered ? "recorded" : "failed", observed, seqs);
    }
}
