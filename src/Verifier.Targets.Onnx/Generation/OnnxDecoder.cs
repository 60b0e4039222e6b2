using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Verifier.Targets.Onnx.Inspection;
using Verifier.Targets.Onnx.Runtime;

namespace Verifier.Targets.Onnx.Generation;

/// <summary>
/// Token-id generation over an ONNX decoder export with a KV cache: the prompt is run once, then one token per step
/// with the previous step's present.* values fed back as past.* (no copies). Tokenization is the caller's (ids in, ids out).
/// A decoder instance may serve concurrent Generate calls (each has its own cache; the session is thread-safe).
/// </summary>
public sealed class OnnxDecoder : IDisposable
{
    private readonly InferenceSession session;
    // Never terminated, so shared by every Run that cannot be cancelled.
    private readonly RunOptions plainRun = new();

    private OnnxDecoder(OpenedSession opened, string modelPath)
    {
        session = opened.Session;
        Device = opened.Device;
        DeviceWarning = opened.Warning;
        ModelPath = modelPath;
        Layout = DecoderLayout.FromSession(session);
        stepInputNames = [Layout.InputIds, .. Layout.AttentionMask is { } m ? new[] { m } : [], .. Layout.PositionIds is { } p ? new[] { p } : [], .. Layout.Kv.Select(k => k.PastName)];
        stepOutputNames = [Layout.Logits, .. Layout.Kv.Select(k => k.PresentName)];
    }

    // Names are fixed per model: built once, not per step (the loop's overhead over bare Run is measured by bench onnx).
    private readonly string[] stepInputNames;
    private readonly string[] stepOutputNames;

    public string ModelPath { get; }
    public DecoderLayout Layout { get; }
    public InferenceSession Session => session;

    /// <summary>The device the session runs on (<c>auto</c> resolved).</summary>
    public OnnxDevice Device { get; }

    /// <summary>Why <c>auto</c> fell back to the CPU, when it did.</summary>
    public string? DeviceWarning { get; }

    /// <summary>Opens a decoder from an .onnx file or a model folder (genai_config.json's decoder file, else model.onnx).</summary>
    public static OnnxDecoder Open(string path, OnnxSessionSettings? settings = null)
    {
        var (model, _) = OnnxInspector.ResolveModel(path);
        var opened = OnnxSessions.Open(model, settings);
        try { return new OnnxDecoder(opened, model); }
        catch { opened.Session.Dispose(); throw; }
    }

    public IEnumerable<int> Generate(int[] promptIds, GenerationSettings settings, CancellationToken cancellationToken = default) =>
        GenerateCore(promptIds, settings, 0, cancellationToken).Select(t => t.Id);

    /// <summary>Generation that also reports, at every step, the <paramref name="topK"/> most likely ids with their log probabilities (log-softmax of the raw logits).</summary>
    public IEnumerable<(int Id, StepLogprobs? Logprobs)> GenerateWithLogprobs(int[] promptIds, GenerationSettings settings, int topK, CancellationToken cancellationToken = default) =>
        GenerateCore(promptIds, settings, topK, cancellationToken);

    private IEnumerable<(int Id, StepLogprobs? Logprobs)> GenerateCore(int[] promptIds, GenerationSettings settings, int topK, CancellationToken ct)
    {
        if (promptIds.Length == 0) throw new ArgumentException("The prompt needs at least one token.", nameof(promptIds));
        var random = new Random(settings.Seed);
        var stop = settings.StopTokenIds ?? [];
        var past = EmptyCache();
        // A cancelled token also aborts a Run in progress (a long prompt step on a big model): ORT checks Terminate between kernels.
        using var cancellable = ct.CanBeCanceled ? new RunOptions() : null;
        using var registration = cancellable is null ? default : ct.Register(() => cancellable.Terminate = true);
        var runOptions = cancellable ?? plainRun;
        try
        {
            var step = promptIds;
            var total = 0;
            for (var produced = 0; produced < settings.MaxNewTokens; produced++)
            {
                ct.ThrowIfCancellationRequested();
                List<OrtValue> present;
                int next;
                StepLogprobs? top;
                try { (next, present, top) = Step(step, total, past, settings, random, runOptions, topK); }
                catch (OnnxRuntimeException) when (ct.IsCancellationRequested) { throw new OperationCanceledException(ct); }
                foreach (var v in past) v.Dispose();
                past = present;
                total += step.Length;
                yield return (next, top);
                if (stop.Contains(next)) yield break;
                step = [next];
            }
        }
        finally
        {
            foreach (var v in past) v.Dispose();
        }
    }

    /// <summary>Logits of the last position for a whole sequence with an empty cache (the no-cache reference).</summary>
    public float[] LastLogits(int[] ids)
    {
        var past = EmptyCache();
        try
        {
            var inputs = Inputs(ids, 0, past);
            try
            {
                using var outputs = session.Run(plainRun, stepInputNames, inputs, [Layout.Logits]);
                return LastRow(outputs[0]);
            }
            finally { foreach (var v in inputs.Take(inputs.Count - past.Count)) v.Dispose(); }
        }
        finally { foreach (var v in past) v.Dispose(); }
    }

    private (int Next, List<OrtValue> Present, StepLogprobs? Logprobs) Step(int[] ids, int pastLength, List<OrtValue> past, GenerationSettings settings, Random random, RunOptions runOptions, int topK)
    {
        var inputs = Inputs(ids, pastLength, past);
        try
        {
            var outputs = session.Run(runOptions, stepInputNames, inputs, stepOutputNames);
            // The presents are the caller's from here (the collection itself is not disposed).
            var present = new List<OrtValue>(outputs.Count - 1);
            for (var i = 1; i < outputs.Count; i++) present.Add(outputs[i]);
            int next;
            StepLogprobs? top = null;
            using (var logits = outputs[0])
            {
                // fp32 logits of a declared width are read in place: no copy and no extra shape query on the hot path.
                ReadOnlySpan<float> row = Layout.LogitsInfo is (TensorElementType.Float, { } vocab)
                    ? logits.GetTensorDataAsSpan<float>()[^vocab..]
                    : LastRow(logits);
                next = TokenSampler.Pick(row, settings, random);
                if (topK > 0) top = TopLogprobs(row, topK, next);
            }
            return (next, present, top);
        }
        finally
        {
            // Only the per-step inputs; past values are owned by the caller.
            foreach (var v in inputs.Take(inputs.Count - past.Count)) v.Dispose();
        }
    }

    /// <summary>The chosen id's log-softmax value and the k most likely ids with theirs, most likely first.</summary>
    private static StepLogprobs TopLogprobs(ReadOnlySpan<float> logits, int k, int chosen)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (var l in logits) max = Math.Max(max, l);
        foreach (var l in logits) sum += Math.Exp(l - max);
        var logZ = max + Math.Log(sum);
        var best = new List<(int, double)>(k + 1);
        for (var i = 0; i < logits.Length; i++)
        {
            if (best.Count == k && logits[i] <= best[^1].Item2 + logZ) continue;
            var value = logits[i] - logZ;
            var at = best.FindIndex(b => b.Item2 < value);
            best.Insert(at < 0 ? best.Count : at, (i, value));
            if (best.Count > k) best.RemoveAt(k);
        }
        return new StepLogprobs(logits[chosen] - logZ, [.. best]);
    }

    /// <summary>Builds the step's inputs in session types: ids, mask over past+new, positions continuing from past, then the cache.</summary>
    private List<OrtValue> Inputs(int[] ids, int pastLength, List<OrtValue> past)
    {
        var values = new List<OrtValue>(3 + past.Count);
        var n = ids.Length;
        values.Add(Ints(ids, Layout.IdsType, [1, n]));
        if (Layout.AttentionMask is not null)
        {
            var ones = new int[pastLength + n];
            Array.Fill(ones, 1);
            values.Add(Ints(ones, Layout.MaskType, [1, pastLength + n]));
        }
        if (Layout.PositionIds is not null)
        {
            var positions = new int[n];
            for (var i = 0; i < n; i++) positions[i] = pastLength + i;
            values.Add(Ints(positions, Layout.PositionType, [1, n]));
        }
        values.AddRange(past);
        return values;
    }

    private List<OrtValue> EmptyCache() => Layout.Kv.Select(k => k.ElementType is TensorElementType.Float or TensorElementType.Float16
        ? OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, k.ElementType, k.EmptyShape) // zero elements: nothing to fill
        : throw new NotSupportedException($"KV cache element type {k.ElementType} is not supported.")).ToList();

    /// <summary>An int32 or int64 tensor (as the session declares the input) over the given ids.</summary>
    public static OrtValue Ints(int[] data, TensorElementType type, long[] shape) =>
        type == TensorElementType.Int32 ? OrtValue.CreateTensorValueFromMemory(data, shape) : OrtValue.CreateTensorValueFromMemory(Array.ConvertAll(data, x => (long)x), shape);

    private static float[] LastRow(OrtValue logits)
    {
        var info = logits.GetTensorTypeAndShape();
        var vocab = (int)info.Shape[^1];
        switch (info.ElementDataType)
        {
            case TensorElementType.Float:
                return logits.GetTensorDataAsSpan<float>()[^vocab..].ToArray();
            case TensorElementType.Float16:
                // ORT's Float16 is IEEE binary16, the same bits as System.Half.
                var h = MemoryMarshal.Cast<byte, Half>(logits.GetTensorMutableRawData())[^vocab..];
                var row = new float[vocab];
                for (var i = 0; i < vocab; i++) row[i] = (float)h[i];
                return row;
            default:
                throw new NotSupportedException($"Logits of type {info.ElementDataType} are not supported.");
        }
    }

    public void Dispose()
    {
        session.Dispose();
        plainRun.Dispose();
    }
}
