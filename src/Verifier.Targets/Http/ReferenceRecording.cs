namespace Verifier.Targets.Http;

using Verifier.Core.Probes;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;

/// <summary>
/// Runs every capability and behaviour probe of the suite against a trusted deployment of one build and keeps the
/// outcome counts per (category, tier) and the output texts: the reference an audit's likelihoods come from.
/// </summary>
public static class ReferenceRecording
{
    public static async Task<ReferenceRun> RecordAsync(
        string build, TargetEndpoint endpoint, ProbeSuite suite, int runs, int seed, HttpMessageHandler handler, ClientOptions? options = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = ReferenceRecorder.Empty($"{build}:{DateTimeOffset.UtcNow:yyyyMMddHHmmss}:{seed}", build, endpoint.BaseUrl.ToString(), DateTimeOffset.UtcNow, suite.Version, suite.ContentHash);
        var client = new TargetClient(handler, endpoint, options);
        for (var r = 0; r < runs; r++)
        {
            foreach (var instance in suite.Candidates(unchecked(seed + r * 7919)).Where(i => i.Category is not (ProbeCategory.Tokenizer or ProbeCategory.Metadata)))
            {
                var execution = await client.ExecuteAsync(instance, cancellationToken);
                if (!execution.AnyDelivered) continue; // a transport fault says nothing about the model
                var outcome = ProbeSuite.Score(instance, execution);
                run = ReferenceRecorder.Add(run, instance, outcome, execution.Responses[^1].Reply?.Content);
            }
            progress?.Report($"{build}: run {r + 1}/{runs}");
        }
        return run;
    }
}
