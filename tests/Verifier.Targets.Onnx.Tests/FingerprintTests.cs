using System.Security.Cryptography;
using Verifier.Targets.Onnx.Building;
using Verifier.Targets.Onnx.Fingerprint;
using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Tests;

public sealed class FingerprintTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("verifier-fp-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static float[] Normal(int n, int seed, double scale = 0.02)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
    }

    private string Save(string name, float[] weights, Func<float[], byte[]>? encode = null, int type = OnnxDataType.Float)
    {
        var path = Path.Combine(dir, name);
        var bytes = encode?.Invoke(weights) ?? weights.SelectMany(BitConverter.GetBytes).ToArray();
        new OnnxModelWriter()
            .Input(new ValueSpec("x", OnnxDataType.Float, 1, 64))
            .Output(new ValueSpec("y", OnnxDataType.Float, 1, 64))
            .Initializer("w", type, [64, 64], bytes)
            .Node("MatMul", ["x", "w"], ["y"])
            .Save(path);
        return path;
    }

    [Fact]
    public void Hash_is_the_sha256_of_the_stored_bytes_and_moments_are_right()
    {
        var w = Normal(64 * 64, 1);
        var fp = WeightFingerprinter.Fingerprint(Save("a.onnx", w));

        var t = Assert.Single(fp.Tensors);
        var expected = Convert.ToHexStringLower(SHA256.HashData(w.SelectMany(BitConverter.GetBytes).ToArray()));
        Assert.Equal(expected, t.Sha256);
        var mean = w.Average(x => (double)x);
        var std = Math.Sqrt(w.Average(x => (x - mean) * (x - mean)));
        Assert.Equal(mean, t.Stats!.Mean, 1e-9);
        Assert.Equal(std, t.Stats.Std, 1e-9);
        Assert.Equal(Math.Sqrt(w.Sum(x => (double)x * x)), t.Stats.L2Norm, 1e-9);
        Assert.InRange(t.Stats.Kurtosis, 2.7, 3.3); // normal weights
    }

    [Fact]
    public void Identical_copy_matches_while_perturbed_and_requantized_copies_differ()
    {
        var w = Normal(64 * 64, 2);
        var reference = WeightFingerprinter.Fingerprint(Save("ref.onnx", w));
        var copy = WeightFingerprinter.Fingerprint(Save("copy.onnx", [.. w]));
        Assert.Equal(reference.ModelDigest, copy.ModelDigest);

        var perturbed = w.ToArray();
        perturbed[100] += 1e-3f;
        var p = WeightFingerprinter.Fingerprint(Save("perturbed.onnx", perturbed));
        Assert.NotEqual(reference.ModelDigest, p.ModelDigest);

        // fp16 round trip (a re-cast build): different bytes, nearly the same statistics.
        var half = WeightFingerprinter.Fingerprint(Save("half.onnx", w, ws => ws.SelectMany(x => BitConverter.GetBytes((Half)x)).ToArray(), OnnxDataType.Float16));
        Assert.NotEqual(reference.Tensors[0].Sha256, half.Tensors[0].Sha256);
        Assert.Equal(reference.Tensors[0].Stats!.L2Norm, half.Tensors[0].Stats!.L2Norm, 1e-3 * reference.Tensors[0].Stats!.L2Norm);

        // 4-bit re-quantization (16 levels over the range) changes the moments visibly.
        var max = w.Max(Math.Abs);
        var q4 = w.Select(x => MathF.Round(x / max * 7) / 7 * max).ToArray();
        var q = WeightFingerprinter.Fingerprint(Save("q4.onnx", q4));
        var (rs, qs) = (reference.Tensors[0].Stats!, q.Tensors[0].Stats!);
        Assert.True(Math.Abs(rs.Kurtosis - qs.Kurtosis) > 0.05 || Math.Abs(rs.Std - qs.Std) / rs.Std > 0.01,
            $"re-quantized stats too close: kurtosis {rs.Kurtosis} vs {qs.Kurtosis}, std {rs.Std} vs {qs.Std}");
    }

    [Fact]
    public void External_data_is_hashed_and_missing_files_are_reported()
    {
        var w = Normal(16, 3);
        var bytes = w.SelectMany(BitConverter.GetBytes).ToArray();
        var path = Path.Combine(dir, "ext.onnx");
        new OnnxModelWriter()
            .Input(new ValueSpec("x", OnnxDataType.Float, 1, 4))
            .Output(new ValueSpec("y", OnnxDataType.Float, 1, 4))
            .ExternalInitializer("w", OnnxDataType.Float, [4, 4], "ext.onnx.data", 8, bytes.Length)
            .ExternalInitializer("gone", OnnxDataType.Float, [4], "missing.data", 0, 16)
            .Node("MatMul", ["x", "w"], ["y"])
            .Save(path);
        File.WriteAllBytes(Path.Combine(dir, "ext.onnx.data"), [.. new byte[8], .. bytes]);

        var fp = WeightFingerprinter.Fingerprint(path);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), fp.Tensors.Single(t => t.Name == "w").Sha256);
        Assert.Null(fp.Tensors.Single(t => t.Name == "gone").Sha256);
        Assert.Equal(["missing.data"], fp.Missing);
    }

    [Fact]
    public void Gpt2_fingerprint_covers_every_initializer()
    {
        var fp = WeightFingerprinter.Fingerprint(TestModels.Gpt2);
        var graph = OnnxGraphReader.Read(TestModels.Gpt2);
        Assert.Equal(graph.Initializers.Count, fp.Tensors.Count);
        Assert.All(fp.Tensors, t => Assert.NotNull(t.Sha256));
        Assert.All(fp.Tensors.Where(t => t.DataType == "float32" && t.Dims.Count == 2), t => Assert.True(t.Stats!.Std > 0));
    }
}
