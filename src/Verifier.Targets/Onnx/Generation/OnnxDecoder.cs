using Verifier.Targets.Onnx.Inspection;
using Verifier.Targets.Onnx.Native;

namespace Verifier.Targets.Onnx.Generation;

/// <summary>
/// Token-id generation over an ONNX decoder export with a KV cache: the prompt is run once, then one token per step
/// with the previous step's present.* values fed back as past.* (no copies). Tokenization is the caller's (ids in, ids out).
/// A decoder instance may serve concurrent Generate calls (each has its own cache; the session is thread-safe).
/// </summary>
public sealed class OnnxDecoder : IDisposable
{
    private readonly OrtSession session;

    private OnnxDecoder(OrtSession session, string modelPath)
    {
        this.session = session;
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
    public OrtSession Session => session;

    /// <summary>Opens a decoder from an .onnx file or a model folder (genai_config.json's decoder file, else model.onnx).</summary>
    public static OnnxDecoder Open(string path, OrtSessionSettings? settings = null)
    {
        var (model, _) = OnnxInspector.ResolveModel(path);
        var s = OrtSession.Open(model, settings);
        try { return new OnnxDecoder(s, model); }
        catch { s.Dispose(); throw; }
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
        // A cancelled token also aborts a Run in progress (a long prompt step on a big model).
        using var runOptions = ct.CanBeCanceled ? OrtRunOptions.Create() : null;
        using var registration = runOptions is null ? default : ct.Register(runOptions.Terminate);
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
                catch (OrtException) when (ct.IsCancellationRequested) { throw new OperationCanceledException(ct); }
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
                var outputs = session.Run(stepInputNames, inputs, [Layout.Logits]);
                using var logits = outputs[0];
                return LastRow(logits);
            }
            finally { foreach (var v in inputs.Take(inputs.Count - past.Count)) v.Dispose(); }
        }
        finally { foreach (var v in past) v.Dispose(); }
    }

    private (int Next, List<OrtValue> Present, StepLogprobs? Logprobs) Step(int[] ids, int pastLength, List<OrtValue> past, GenerationSettings settings, Random random, OrtRunOptions? runOptions, int topK)
    {
        var inputs = Inputs(ids, pastLength, past);
        try
        {
            var outputs = session.Run(stepInputNames, inputs, stepOutputNames, runOptions);
            int next;
            StepLogprobs? top = null;
            using (var logits = outputs[0])
            {
                var (type, shape) = logits.Describe();
                var count = shape.Aggregate(1L, (a, d) => a * d);
                var vocab = (int)shape[^1];
                next = type == OrtElementType.Float
                    ? TokenSampler.Pick(logits.AsSpan<float>(count)[^vocab..], settings, random) // no copy on the hot path
                    : TokenSampler.Pick(LastRow(logits), settings, random);
                if (topK > 0) top = TopLogprobs(type == OrtElementType.Float ? logits.AsSpan<float>(count)[^vocab..] : LastRow(logits), topK, next);
            }
            var present = new List<OrtValue>(outputs.Length - 1);
            for (var i = 1; i < outputs.Length; i++) present.Add(outputs[i]);
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

    private List<OrtValue> EmptyCache() => Layout.Kv.Select(k => k.ElementType switch
    {
        OrtElementType.Float16 => OrtValue.FromArray(Array.Empty<Half>(), k.EmptyShape),
        OrtElementType.Float => OrtValue.FromArray(Array.Empty<float>(), k.EmptyShape),
        var t => throw new NotSupportedException($"KV cache element type {t} is not supported."),
    }).ToList();

    private static OrtValue Ints(int[] data, OrtElementType type, long[] shape) =>
        type == OrtElementType.Int32 ? OrtValue.FromArray(data, shape) : OrtValue.FromArray(Array.ConvertAll(data, x => (long)x), shape);

    private static float[] LastRow(OrtValue logits)
    {
        var (type, shape) = logits.Describe();
        var vocab = (int)shape[^1];
        switch (type)
        {
            case OrtElementType.Float:
                var f = logits.AsSpan<float>();
                return f[^vocab..].ToArray();
            case OrtElementType.Float16:
                var h = logits.AsSpan<Half>()[^vocab..];
                var row = new float[vocab];
                for (var i = 0; i < vocab; i++) row[i] = (float)h[i];
                return row;
            default:
                throw new NotSupportedException($"Logits of type {logits.ElementType} are not supported.");
        }
    }

    public void Dispose() => session.Dispose();
}
