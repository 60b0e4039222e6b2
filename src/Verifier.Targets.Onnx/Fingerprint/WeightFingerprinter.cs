using System.Buffers.Binary;
using System.Security.Cryptography;
using Verifier.Targets.Onnx.Graph;

namespace Verifier.Targets.Onnx.Fingerprint;

/// <summary>Norm and moments of a float tensor's values (kurtosis is the non-excess kind: 3 for a normal).</summary>
public sealed record TensorStats(long Count, double L2Norm, double Mean, double Std, double Kurtosis);

/// <param name="Sha256">Hex digest of the stored bytes; null when the bytes are not available (missing external file).</param>
public sealed record TensorFingerprint(string Name, string DataType, IReadOnlyList<long> Dims, string? Location, long Bytes, string? Sha256, TensorStats? Stats);

/// <param name="ModelDigest">sha256 over "name:digest" lines of all hashed tensors, in name order: equal iff every tensor is.</param>
public sealed record WeightFingerprint(IReadOnlyList<TensorFingerprint> Tensors, string ModelDigest, IReadOnlyList<string> Missing);

/// <summary>
/// Streams every initializer's stored bytes (inside the model or in external-data files) through sha256 and, for
/// float types, an online moments accumulator. Exact hashes match a file against a published release; the moments
/// tell a re-quantized or fine-tuned copy from its reference cheaply.
/// </summary>
public static class WeightFingerprinter
{
    public static WeightFingerprint Fingerprint(string modelPath)
    {
        var graph = OnnxGraphReader.Read(modelPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var streams = new Dictionary<string, FileStream?>(StringComparer.Ordinal);
        var missing = new List<string>();
        try
        {
            FileStream? Open(string? location)
            {
                var path = location is null ? modelPath : Path.Combine(folder, location);
                if (streams.TryGetValue(path, out var s)) return s;
                s = File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan) : null;
                if (s is null) missing.Add(location ?? modelPath);
                streams[path] = s;
                return s;
            }

            var result = new List<TensorFingerprint>();
            foreach (var t in graph.Initializers)
            {
                if (t.Data is not { } d) { result.Add(new(t.Name, t.TypeName, t.Dims, null, 0, null, null)); continue; }
                var length = d.Length >= 0 ? d.Length : (long)(t.ElementCount * OnnxDataType.Bits(t.DataType) / 8);
                var stream = Open(d.External ? d.Location : null);
                if (stream is null || d.Offset + length > stream.Length)
                {
                    result.Add(new(t.Name, t.TypeName, t.Dims, d.Location, length, null, null));
                    continue;
                }
                stream.Seek(d.Offset, SeekOrigin.Begin);
                var (sha, stats) = HashAndMeasure(stream, length, t.DataType);
                result.Add(new(t.Name, t.TypeName, t.Dims, d.Location, length, sha, stats));
            }
            var lines = string.Join("\n", result.Where(r => r.Sha256 is not null).OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => $"{r.Name}:{r.Sha256}"));
            var digest = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lines)));
            return new WeightFingerprint(result, digest, missing.Distinct().ToList());
        }
        finally
        {
            foreach (var s in streams.Values) s?.Dispose();
        }
    }

    /// <summary>Hashes exactly <paramref name="length"/> bytes from the stream's position and accumulates float moments.</summary>
    public static (string Sha256, TensorStats? Stats) HashAndMeasure(Stream stream, long length, int dataType)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var width = dataType switch { OnnxDataType.Float => 4, OnnxDataType.Float16 or OnnxDataType.BFloat16 => 2, OnnxDataType.Double => 8, _ => 0 };
        var moments = new Moments();
        var buffer = new byte[1 << 20];
        var left = length;
        while (left > 0)
        {
            var want = (int)Math.Min(buffer.Length, left);
            var n = stream.ReadAtLeast(buffer.AsSpan(0, want), want, throwOnEndOfStream: true);
            hash.AppendData(buffer, 0, n);
            if (width > 0) Accumulate(buffer.AsSpan(0, n - n % width), dataType, ref moments);
            left -= n;
        }
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        return (sha, width > 0 && moments.N > 0 ? moments.ToStats() : null);
    }

    private static void Accumulate(ReadOnlySpan<byte> bytes, int type, ref Moments m)
    {
        switch (type)
        {
            case OnnxDataType.Float:
                for (var i = 0; i < bytes.Length; i += 4) m.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes[i..]));
                break;
            case OnnxDataType.Float16:
                for (var i = 0; i < bytes.Length; i += 2) m.Add((double)BinaryPrimitives.ReadHalfLittleEndian(bytes[i..]));
                break;
            case OnnxDataType.BFloat16:
                for (var i = 0; i < bytes.Length; i += 2) m.Add(BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[i..]) << 16));
                break;
            case OnnxDataType.Double:
                for (var i = 0; i < bytes.Length; i += 8) m.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes[i..]));
                break;
        }
    }

    /// <summary>Online central moments (Terriberry's update), stable over billions of values.</summary>
    private struct Moments
    {
        public long N;
        private double mean, m2, m3, m4, sumSq;

        public void Add(double x)
        {
            if (!double.IsFinite(x)) return;
            var n1 = N;
            N++;
            var delta = x - mean;
            var dn = delta / N;
            var dn2 = dn * dn;
            var term1 = delta * dn * n1;
            mean += dn;
            m4 += term1 * dn2 * ((double)N * N - 3 * N + 3) + 6 * dn2 * m2 - 4 * dn * m3;
            m3 += term1 * dn * (N - 2) - 3 * dn * m2;
            m2 += term1;
            sumSq += x * x;
        }

        public readonly TensorStats ToStats()
        {
            var variance = m2 / N;
            var kurtosis = variance > 0 ? N * m4 / (m2 * m2) : 0;
            return new TensorStats(N, Math.Sqrt(sumSq), mean, Math.Sqrt(variance), kurtosis);
        }
    }
}
