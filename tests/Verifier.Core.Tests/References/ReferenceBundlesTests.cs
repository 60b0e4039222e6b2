namespace Verifier.Core.Tests.References;

using Verifier.Core.Probes;
using Verifier.Core.References;

public class ReferenceBundlesTests
{
    private static ReferenceRun Run(string build, string hash)
    {
        var run = ReferenceRecorder.Empty("r-" + build, build, "http://trusted", DateTimeOffset.UnixEpoch, "1.0", hash);
        var instance = new ProbeInstance("p1", "reasoning.modsum", ProbeCategory.Reasoning, "t2", 7, [], "42", 100);
        run = ReferenceRecorder.Add(run, instance, new ProbeOutcome("p1", ProbeCategory.Reasoning, "t2", "pass", "42", [1]), "answer 42");
        run = ReferenceRecorder.Add(run, instance, new ProbeOutcome("p1", ProbeCategory.Reasoning, "t2", "fail", "41", [2]), "answer 41");
        run = ReferenceRecorder.Add(run, instance, new ProbeOutcome("p1", ProbeCategory.Reasoning, "t2", "pass", "42", [3]), null);
        return run;
    }

    [Fact]
    public void Export_then_import_round_trips_and_counts_add_up()
    {
        var json = ReferenceBundles.Export([Run("r1-distill-qwen-7b@bf16", "h1")], "1.0", "h1");
        var bundle = ReferenceBundles.Import(json);
        Assert.Equal(ReferenceBundles.FormatVersion, bundle.FormatVersion);
        var run = Assert.Single(bundle.Runs);
        Assert.Equal(2, run.Cells[0].Counts["pass"]);
        Assert.Equal(1, run.Cells[0].Counts["fail"]);
        Assert.Equal(2, run.Samples.Count);
        Assert.Equal(json, ReferenceBundles.Export(bundle.Runs, "1.0", "h1")); // deterministic
        var set = new ReferenceSet(bundle.Runs, "h1");
        Assert.Equal([2.0, 1.0, 0.0], set.Counts("r1-distill-qwen-7b@bf16", ProbeCategory.Reasoning, "t2")!);
    }

    [Fact]
    public void Runs_of_another_suite_hash_are_skipped()
    {
        var set = new ReferenceSet([Run("a@bf16", "h1"), Run("b@bf16", "old")], "h1");
        Assert.Equal(["r-a@bf16"], set.Used.Select(r => r.Id));
        Assert.Equal(["r-b@bf16"], set.Skipped.Select(r => r.Id));
        Assert.Null(set.Counts("b@bf16", ProbeCategory.Reasoning, "t2"));
    }

    [Theory]
    [InlineData("{\"formatVersion\":99,\"suiteVersion\":\"1\",\"suiteHash\":\"h\",\"runs\":[]}")]
    [InlineData("not json")]
    [InlineData("{\"formatVersion\":1,\"suiteVersion\":\"1\",\"suiteHash\":\"h\",\"runs\":[],\"extra\":1}")]
    public void Bad_bundles_are_rejected_with_a_clear_error(string json) =>
        Assert.Throws<InvalidDataException>(() => ReferenceBundles.Import(json, "x.json"));

    [Fact]
    public void Folder_import_reads_every_bundle()
    {
        var dir = Directory.CreateTempSubdirectory("refs");
        try
        {
            ReferenceBundles.ExportFile(Path.Combine(dir.FullName, "a.json"), [Run("a@bf16", "h1")], "1.0", "h1");
            ReferenceBundles.ExportFile(Path.Combine(dir.FullName, "b.json"), [Run("b@bf16", "h1")], "1.0", "h1");
            Assert.Equal(2, ReferenceBundles.ImportFolder(dir.FullName).Count);
        }
        finally { dir.Delete(true); }
    }
}
