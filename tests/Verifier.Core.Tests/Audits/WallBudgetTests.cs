namespace Verifier.Core.Tests.Audits;

using System.Diagnostics;
using Verifier.Core.Audits;

public class WallBudgetTests
{
    [Fact]
    public async Task An_executor_that_ignores_the_deadline_is_cancelled_just_after_it_and_the_audit_keeps_its_result()
    {
        var plan = Sim.Plan("deepseek-r1", Sim.Candidates(2, 2, 1), 50) with { Budget = new AuditBudget(50, 1_000_000, TimeSpan.FromSeconds(1)) };
        var clock = Stopwatch.StartNew();
        var result = await AuditEngine.RunAsync(plan, async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct); // a target that never answers and has no deadline of its own
            return ProbeExecution.Failed("unreachable");
        });
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1) + AuditEngine.WallGrace + TimeSpan.FromSeconds(1));
        Assert.Equal("budget: wall time", result.StopReason);
        Assert.Equal("not-scored: target fault (no delivered response)", Assert.Single(result.Evidence).Weighing);
        Assert.StartsWith("no request was sent", result.Error, StringComparison.Ordinal);
    }
}
