namespace Verifier.Core.Tests.Probes;

using Verifier.Core.Probes;
using Verifier.Core.Probes.Suite;

public class LightCheckTests
{
    [Fact]
    public void Plan_is_a_tokenizer_pair_and_one_short_sample_within_four_requests_of_the_default_suite()
    {
        var plan = LightCheck.Plan(ProbeSuite.Default, "deepseek-r1", 1234);
        Assert.True(plan.Budget.MaxRequests <= 4);
        Assert.Equal([ProbeCategory.Tokenizer, ProbeCategory.Fingerprint], plan.Candidates.Select(c => c.Category));
        Assert.Equal(2, plan.Candidates[0].Requests.Count);
        Assert.Single(plan.Candidates[1].Requests);
        Assert.True(plan.Candidates.Sum(c => c.Requests.Count) < plan.Budget.MaxRequests); // one spare for a retry
        Assert.Equal(ProbeSuite.Default.ContentHash, plan.SuiteHash); // rescored against the same suite
        // Same seed, same instances (rescoring regenerates them); another seed, another tokenizer prompt.
        Assert.Equal(plan.Candidates[0].ProbeId, LightCheck.Plan(ProbeSuite.Default, "deepseek-r1", 1234).Candidates[0].ProbeId);
        Assert.NotEqual(plan.Candidates[0].ProbeId, LightCheck.Plan(ProbeSuite.Default, "deepseek-r1", 99).Candidates[0].ProbeId);
    }
}
