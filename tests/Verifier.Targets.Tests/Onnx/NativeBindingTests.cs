using System.Diagnostics;
using Verifier.Targets.Onnx.Native;

namespace Verifier.Targets.Tests.Onnx;

// One collection with the heavy ONNX tests: the leak check measures the whole process's RSS, so they must not run beside it.
[Collection("onnx-process-memory")]
public sealed class NativeBindingTests
{
    private static readonly OrtSessionSettings Deterministic = new(IntraOpThreads: 1, InterOpThreads: 1);

    /// <summary>GPT-2 inputs for a prompt with an empty KV cache, typed as the session declares them.</summary>
    private static (List<string> Names, List<OrtValue> Values, Dictionary<string, NodePeer.Tensor> Peer) Gpt2Inputs(OrtSession s, int[] ids)
    {
        var names = new List<string>();
        var values = new List<OrtValue>();
        var peer = new Dictionary<string, NodePeer.Tensor>();
        var n = ids.Length;
        void AddInt(string name, int[] data, long[] dims)
        {
            var type = s.Inputs.Single(i => i.Name == name).ElementType;
            names.Add(name);
            values.Add(type == OrtElementType.Int64 ? OrtValue.FromArray(data.Select(x => (long)x).ToArray(), dims) : OrtValue.FromArray(data, dims));
            peer[name] = new NodePeer.Tensor(type == OrtElementType.Int64 ? "int64" : "int32", dims, data.Select(x => (double)x).ToArray());
        }
        AddInt("input_ids", ids, [1, n]);
        AddInt("position_ids", Enumerable.Range(0, n).ToArray(), [1, n]);
        AddInt("attention_mask", Enumerable.Repeat(1, n).ToArray(), [1, n]);
        foreach (var p in s.Inputs.Where(i => i.Name.StartsWith("past_", StringComparison.Ordinal)))
        {
            long[] dims = [2, 1, p.Shape[2], 0, p.Shape[4]];
            names.Add(p.Name);
            values.Add(OrtValue.FromArray(Array.Empty<float>(), dims));
            peer[p.Name] = new NodePeer.Tensor("float32", dims, []);
        }
        return (names, values, peer);
    }

    [Fact]
    public void Session_reports_the_model_inputs_and_outputs()
    {
        using var s = OrtSession.Open(TestModels.Gpt2, Deterministic);
        Assert.Equal(OrtElementType.Int32, s.Inputs.Single(i => i.Name == "input_ids").ElementType);
        Assert.Equal(5, s.Inputs.Count(i => i.Name.StartsWith("past_", StringComparison.Ordinal)));
        var logits = s.Outputs.Single(o => o.Name == "logits");
        Assert.Equal(1000, logits.Shape[^1]);
        Assert.Equal("1.30.0", OrtEnvironment.Version);
    }

    [Fact]
    public void Gpt2_logits_equal_onnxruntime_node_bit_for_bit()
    {
        int[] ids = [98, 5, 17, 400, 999, 3, 250];
        using var s = OrtSession.Open(TestModels.Gpt2, Deterministic);
        var (names, values, peer) = Gpt2Inputs(s, ids);
        float[] ours;
        long[] shape;
        try
        {
            var outputs = s.Run(names, values, ["logits"]);
            using var logits = outputs[0];
            ours = logits.ToArray<float>();
            shape = logits.Shape;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }

        var (peerDims, peerData) = NodePeer.Run(Path.GetFullPath(TestModels.Gpt2), peer, "logits");

        Assert.Equal([1, ids.Length, 1000], shape);
        Assert.Equal(peerDims, shape);
        Assert.Equal(peerData.Length, ours.Length);
        Assert.True(ours.Distinct().Count() > 100, "logits are not degenerate");
        for (var i = 0; i < ours.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(ours[i]) == BitConverter.SingleToInt32Bits(peerData[i]), $"logit {i}: {ours[i]} vs node {peerData[i]}");
    }

    [Fact]
    public void Built_qwen2_decoder_logits_equal_onnxruntime_node_bit_for_bit()
    {
        var dir = Directory.CreateTempSubdirectory("verifier-qwen2-").FullName;
        try
        {
            var path = Path.Combine(dir, "model.onnx");
            new Verifier.Targets.Onnx.Building.RunnableDecoderBuilder(new(), Verifier.Targets.Onnx.Building.DecoderFamily.Qwen2, seed: 3).Build().Save(path);
            long[] ids = [1, 30, 47, 200, 13, 9];
            using var s = OrtSession.Open(path, Deterministic);
            var names = new List<string> { "input_ids", "attention_mask" };
            var values = new List<OrtValue> { OrtValue.FromArray(ids, 1, ids.Length), OrtValue.FromArray(Enumerable.Repeat(1L, ids.Length).ToArray(), 1, ids.Length) };
            var peer = new Dictionary<string, NodePeer.Tensor>
            {
                ["input_ids"] = new("int64", [1, ids.Length], ids.Select(x => (double)x).ToArray()),
                ["attention_mask"] = new("int64", [1, ids.Length], Enumerable.Repeat(1.0, ids.Length).ToArray()),
            };
            foreach (var p in s.Inputs.Where(i => i.Name.StartsWith("past", StringComparison.Ordinal)))
            {
                names.Add(p.Name);
                values.Add(OrtValue.FromArray(Array.Empty<float>(), 1, 2, 0, 16));
                peer[p.Name] = new("float32", [1, 2, 0, 16], []);
            }
            float[] ours;
            try
            {
                var o = s.Run(names, values, ["logits"]);
                using var l = o[0];
                ours = l.ToArray<float>();
            }
            finally { foreach (var v in values) v.Dispose(); }

            var (_, theirs) = NodePeer.Run(path, peer, "logits");

            Assert.Equal(ids.Length * 256, ours.Length);
            Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Ort_errors_become_exceptions_with_the_runtime_message()
    {
        using var s = OrtSession.Open(TestModels.Gpt2, Deterministic);
        using var bogus = OrtValue.FromArray(new[] { 1, 2 }, 1, 2);
        var e = Assert.Throws<OrtException>(() => s.Run(["no_such_input"], [bogus], ["logits"]));
        Assert.Contains("no_such_input", e.OrtMessage, StringComparison.Ordinal);

        var dir = Directory.CreateTempSubdirectory("verifier-bad-").FullName;
        try
        {
            var bad = Path.Combine(dir, "bad.onnx");
            File.WriteAllBytes(bad, [0x08, 0x07, 0x3a, 0x05, 1, 2, 3]);
            Assert.Throws<OrtException>(() => OrtSession.Open(bad));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Terminated_run_options_abort_the_run_with_an_ort_error()
    {
        using var s = OrtSession.Open(TestModels.Gpt2, Deterministic);
        var (names, values, _) = Gpt2Inputs(s, [1, 2, 3]);
        try
        {
            using var ok = OrtRunOptions.Create();
            foreach (var o in s.Run(names, values, ["logits"], ok)) o.Dispose();
            using var stop = OrtRunOptions.Create();
            stop.Terminate();
            var e = Assert.Throws<OrtException>(() => s.Run(names, values, ["logits"], stop));
            Assert.Contains("terminat", e.OrtMessage, StringComparison.OrdinalIgnoreCase);
        }
        finally { foreach (var v in values) v.Dispose(); }
    }

    [Fact]
    public void One_session_used_from_eight_threads_gives_identical_results()
    {
        using var s = OrtSession.Open(TestModels.Gpt2, new OrtSessionSettings(IntraOpThreads: 1));
        float[] RunOnce(int[] ids)
        {
            var (names, values, _) = Gpt2Inputs(s, ids);
            try
            {
                var o = s.Run(names, values, ["logits"]);
                using var l = o[0];
                return l.ToArray<float>();
            }
            finally { foreach (var v in values) v.Dispose(); }
        }
        int[] prompt = [1, 2, 3, 4, 5];
        var expected = RunOnce(prompt);
        var results = new float[32][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = RunOnce(prompt));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Many_sessions_and_runs_do_not_leak()
    {
        void Cycle(int runs)
        {
            using var s = OrtSession.Open(TestModels.Gpt2, Deterministic);
            for (var r = 0; r < runs; r++)
            {
                var (names, values, _) = Gpt2Inputs(s, [1, 2, 3, 4, 5, 6, 7, 8]);
                try { foreach (var o in s.Run(names, values, s.Outputs.Select(x => x.Name).ToList())) o.Dispose(); }
                finally { foreach (var v in values) v.Dispose(); }
            }
        }
        for (var i = 0; i < 20; i++) Cycle(10); // warm-up: arenas, JIT, thread pools
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Process.GetCurrentProcess().WorkingSet64;
        for (var i = 0; i < 150; i++) Cycle(10);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = Process.GetCurrentProcess().WorkingSet64 - before;
        // A leaked session (~0.6 MB of weights each) or its outputs would add > 90 MB over 150 cycles.
        Assert.True(growth < 40L * 1024 * 1024, $"RSS grew by {growth / 1024 / 1024} MB over 150 session cycles");
    }
}
