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

    [Fact]
    public async Task A_stop_request_cuts_the_probe_in_flight_and_ends_the_audit_as_cancelled_keeping_earlier_exchanges()
    {
        using var stop = new CancellationTokenSource();
        var plan = Sim.Plan("deepseek-r1", Sim.Candidates(2, 2, 1), 50) with { StopRequested = stop.Token };
        var inner = Sim.Executor([new("deepseek-r1", "fp8", 1)], new Random(3));
        var calls = 0;
        var result = await AuditEngine.RunAsync(plan, async (instance, ct) =>
        {
            if (++calls < 3) return await inner(instance, ct);
            await stop.CancelAsync(); // the third probe hangs until the audit is cancelled
            await Task.Delay(Timeout.Infinite, ct);
            return ProbeExecution.Failed("unreachable");
        });
        Assert.Equal(AuditEngine.CancelledStop, result.StopReason);
        Assert.Equal(3, result.Probes.Count);
        Assert.Equal("not-scored: target fault (no delivered response)", result.Evidence[^1].Weighing);
        Assert.NotEmpty(result.Exchanges);
        Assert.All(result.Exchanges, e => Assert.Contains(e.Sequence, result.Probes[0].ExchangeSequences.Concat(result.Probes[1].ExchangeSequences)));
    }
}
