namespace Verifier.Core.Tests.Audits;

using Verifier.Core.Audits;
using static Verifier.Core.Tests.Audits.Sim;

public class AuditProgressTests
{
    /// <summary>Reports synchronously, in order (System.Progress posts to the thread pool and may reorder).</summary>
    private sealed class Recorder : IProgress<AuditProgress>
    {
        public List<AuditProgress> Reports { get; } = [];

        public void Report(AuditProgress value) => Reports.Add(value);
    }

    [Fact]
    public async Task Progress_brackets_every_probe_counts_up_to_the_requests_used_and_leaves_the_verdict_alone()
    {
        var truth = new List<Component> { new("deepseek-r1", "fp8", 1) };
        var plan = Plan("deepseek-r1", Candidates(15, 6, 3), 40);
        var recorder = new Recorder();
        var without = await AuditEngine.RunAsync(plan, Executor(truth, new Random(5)));
        var with = await AuditEngine.RunAsync(plan with { Progress = recorder }, Executor(truth, new Random(5)));

        Assert.Equal((without.Verdict.Kind, without.Verdict.ClaimPosterior, without.Cost.Requests), (with.Verdict.Kind, with.Verdict.ClaimPosterior, with.Cost.Requests));
        Assert.Equal(without.Evidence.Select(e => e.OutcomeKey), with.Evidence.Select(e => e.OutcomeKey));
        var reports = recorder.Reports;
        Assert.Equal(2 * with.Probes.Count, reports.Count);
        for (var i = 0; i < reports.Count; i++)
        {
            Assert.Equal(i % 2 == 1, reports[i].Finished); // before, after, before, after…
            Assert.Equal(40, reports[i].MaxRequests);
            if (i > 0) Assert.True(reports[i].Requests >= reports[i - 1].Requests && reports[i].Elapsed >= reports[i - 1].Elapsed);
        }
        Assert.Equal(with.Probes.Select(p => p.ProbeId), reports.Where(r => r.Finished).Select(r => r.ProbeId));
        Assert.Equal(with.Cost.Requests, reports[^1].Requests);
    }
}
