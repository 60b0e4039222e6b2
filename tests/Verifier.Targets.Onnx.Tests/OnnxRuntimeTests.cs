using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Verifier.Targets.Onnx.Building;
using Verifier.Targets.Onnx.Generation;
using Verifier.Targets.Onnx.Runtime;

namespace Verifier.Targets.Onnx.Tests;

/// <summary>
/// The ONNX Runtime package (Microsoft.ML.OnnxRuntime.Managed over the GPU build's native library) as the decoder
/// uses it: sessions opened by <see cref="OnnxSessions"/>, logits checked bit for bit against onnxruntime-node.
/// </summary>
// One collection with the heavy ONNX tests: the leak check measures the whole process's RSS, so they must not run beside it.
[Collection("onnx-process-memory")]
public sealed class OnnxRuntimeTests
{
    private static readonly OnnxSessionSettings Deterministic = new(IntraOpThreads: 1, InterOpThreads: 1);

    private static InferenceSession Open(string path) => OnnxSessions.Open(path, Deterministic).Session;

    /// <summary>GPT-2 inputs for a prompt with an empty KV cache, typed as the session declares them.</summary>
    private static (List<string> Names, List<OrtValue> Values, Dictionary<string, NodePeer.Tensor> Peer) Gpt2Inputs(InferenceSession s, int[] ids)
    {
        var names = new List<string>();
        var values = new List<OrtValue>();
        var peer = new Dictionary<string, NodePeer.Tensor>();
        var n = ids.Length;
        void AddInt(string name, int[] data, long[] dims)
        {
            var type = s.InputMetadata[name].ElementDataType;
            names.Add(name);
            values.Add(OnnxDecoder.Ints(data, type, dims));
            peer[name] = new NodePeer.Tensor(type == TensorElementType.Int64 ? "int64" : "int32", dims, data.Select(x => (double)x).ToArray());
        }
        AddInt("input_ids", ids, [1, n]);
        AddInt("position_ids", Enumerable.Range(0, n).ToArray(), [1, n]);
        AddInt("attention_mask", Enumerable.Repeat(1, n).ToArray(), [1, n]);
        foreach (var p in s.InputNames.Where(i => i.StartsWith("past_", StringComparison.Ordinal)))
        {
            var d = s.InputMetadata[p].Dimensions;
            long[] dims = [2, 1, d[2], 0, d[4]];
            names.Add(p);
            values.Add(OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), dims));
            peer[p] = new NodePeer.Tensor("float32", dims, []);
        }
        return (names, values, peer);
    }

    private static float[] RunLogits(InferenceSession s, List<string> names, List<OrtValue> values, RunOptions? options = null)
    {
        using var run = options is null ? new RunOptions() : null;
        using var outputs = s.Run(options ?? run!, names, values, ["logits"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void Session_reports_the_model_inputs_and_outputs_and_the_runtime_is_the_pinned_one()
    {
        using var s = Open(TestModels.Gpt2);
        Assert.Equal(TensorElementType.Int32, s.InputMetadata["input_ids"].ElementDataType);
        Assert.Equal(5, s.InputNames.Count(i => i.StartsWith("past_", StringComparison.Ordinal)));
        Assert.Equal(1000, s.OutputMetadata["logits"].Dimensions[^1]);
        Assert.Equal("1.32.0", OnnxSessions.Version);
    }

    [Fact]
    public void Gpt2_logits_equal_onnxruntime_node_bit_for_bit()
    {
        int[] ids = [98, 5, 17, 400, 999, 3, 250];
        using var s = Open(TestModels.Gpt2);
        var (names, values, peer) = Gpt2Inputs(s, ids);
        float[] ours;
        try { ours = RunLogits(s, names, values); }
        finally { foreach (var v in values) v.Dispose(); }

        var (peerDims, peerData) = NodePeer.Run(Path.GetFullPath(TestModels.Gpt2), peer, "logits");

        Assert.Equal([1, ids.Length, 1000], peerDims);
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
            new RunnableDecoderBuilder(new(), DecoderFamily.Qwen2, seed: 3).Build().Save(path);
            long[] ids = [1, 30, 47, 200, 13, 9];
            using var s = Open(path);
            var names = new List<string> { "input_ids", "attention_mask" };
            var values = new List<OrtValue>
            {
                OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]),
                OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), [1, ids.Length]),
            };
            var peer = new Dictionary<string, NodePeer.Tensor>
            {
                ["input_ids"] = new("int64", [1, ids.Length], ids.Select(x => (double)x).ToArray()),
                ["attention_mask"] = new("int64", [1, ids.Length], Enumerable.Repeat(1.0, ids.Length).ToArray()),
            };
            foreach (var p in s.InputNames.Where(i => i.StartsWith("past", StringComparison.Ordinal)))
            {
                names.Add(p);
                values.Add(OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, 2, 0, 16]));
                peer[p] = new("float32", [1, 2, 0, 16], []);
            }
            float[] ours;
            try { ours = RunLogits(s, names, values); }
            finally { foreach (var v in values) v.Dispose(); }

            var (_, theirs) = NodePeer.Run(path, peer, "logits");

            Assert.Equal(ids.Length * 256, ours.Length);
            Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_an_onnx_runtime_error()
    {
        var dir = Directory.CreateTempSubdirectory("verifier-bad-").FullName;
        try
        {
            var bad = Path.Combine(dir, "bad.onnx");
            File.WriteAllBytes(bad, [0x08, 0x07, 0x3a, 0x05, 1, 2, 3]);
            Assert.Throws<OnnxRuntimeException>(() => OnnxSessions.Open(bad));
            Assert.Throws<FileNotFoundException>(() => OnnxSessions.Open(Path.Combine(dir, "absent.onnx")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Terminated_run_options_abort_the_run_with_an_ort_error()
    {
        // What cancellation of a long prompt step relies on.
        using var s = Open(TestModels.Gpt2);
        var (names, values, _) = Gpt2Inputs(s, [1, 2, 3]);
        try
        {
            Assert.Equal(3 * 1000, RunLogits(s, names, values).Length);
            using var stop = new RunOptions { Terminate = true };
            var e = Assert.Throws<OnnxRuntimeException>(() => RunLogits(s, names, values, stop));
            Assert.Contains("terminat", e.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally { foreach (var v in values) v.Dispose(); }
    }

    [Fact]
    public void One_session_used_from_eight_threads_gives_identical_results()
    {
        using var s = Open(TestModels.Gpt2);
        float[] RunOnce(int[] ids)
        {
            var (names, values, _) = Gpt2Inputs(s, ids);
            try { return RunLogits(s, names, values); }
            finally { foreach (var v in values) v.Dispose(); }
        }
        int[] prompt = [1, 2, 3, 4, 5];
        var expected = RunOnce(prompt);
        var results = new float[32][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = RunOnce(prompt));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Many_decoders_and_generations_do_not_leak()
    {
        // The decoder owns the outputs it keeps as the next step's cache: a missed Dispose would grow native memory.
        void Cycle(int generations)
        {
            using var d = OnnxDecoder.Open(TestModels.Gpt2Folder, Deterministic);
            for (var r = 0; r < generations; r++) _ = d.Generate([1, 2, 3, 4, 5, 6, 7, 8], GenerationSettings.Greedy(4)).Count();
        }
        for (var i = 0; i < 20; i++) Cycle(5); // warm-up: arenas, JIT, thread pools
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Process.GetCurrentProcess().WorkingSet64;
        for (var i = 0; i < 150; i++) Cycle(5);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = Process.GetCurrentProcess().WorkingSet64 - before;
        // A leaked session (~0.6 MB of weights each) or its cache values would add > 90 MB over 150 cycles.
        Assert.True(growth < 40L * 1024 * 1024, $"RSS grew by {growth / 1024 / 1024} MB over 150 decoder cycles");
    }
}
