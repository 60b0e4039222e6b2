namespace Verifier.Targets.Http;

using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;

/// <summary>How far a recording is: run k of n and probe j of m in it (1-based, reported once the probe ran), requests made so far in all runs.</summary>
public sealed record ReferenceProgress(int Run, int Runs, int Probe, int Probes, int Requests);

/// <summary>
/// Runs every capability and behaviour probe of the suite against a trusted deployment of one build and keeps the
/// outcome counts per (category, tier) and the output texts: the reference an audit's likelihoods come from.
/// </summary>
public static class ReferenceRecording
{
    public static async Task<ReferenceRun> RecordAsync(
        string build, TargetEndpoint endpoint, ProbeSuite suite, int runs, int seed, HttpMessageHandler handler, ClientOptions? options = null,
        IProgress<ReferenceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = ReferenceRecorder.Empty($"{build}:{DateTimeOffset.UtcNow:yyyyMMddHHmmss}:{seed}", build, endpoint.BaseUrl.ToString(), DateTimeOffset.UtcNow, suite.Version, suite.ContentHash);
        var client = new TargetClient(handler, endpoint, options);
        var requests = 0;
        for (var r = 0; r < runs; r++)
        {
            // Tokenizer and metadata evidence comes from catalogued facts, self-consistency pairs from the target itself.
            var instances = suite.Candidates(unchecked(seed + r * 7919))
                .Where(i => i.Category is not (ProbeCategory.Tokenizer or ProbeCategory.Metadata) && !FingerprintProbe.IsRepeat(i)).ToList();
            foreach (var (instance, probe) in instances.Select((instance, i) => (instance, i + 1)))
            {
                var execution = await client.ExecuteAsync(instance, cancellationToken);
                requests += execution.Exchanges.Count;
                progress?.Report(new ReferenceProgress(r + 1, runs, probe, instances.Count, requests));
                if (!execution.AnyDelivered) continue; // a transport fault says nothing about the model
                var outcome = ProbeSuite.Score(instance, execution);
                run = ReferenceRecorder.Add(run, instance, outcome, execution.Responses[^1].Reply?.Content);
            }
        }
        return run;
    }
}
