using System.Globalization;
using Verifier.Targets.Onnx.Graph;
using Verifier.Targets.Onnx.Protobuf;

namespace Verifier.Targets.Onnx.Building;

/// <summary>A graph value declaration: name, element type and dims (a string dim is symbolic).</summary>
public sealed record ValueSpec(string Name, int ElementType, params object[] Dims);

/// <summary>
/// Writes ONNX ModelProto/GraphProto messages (onnx.proto field numbers) for test and benchmark models:
/// nodes, initializers with raw data or external-data references, typed inputs/outputs, opsets.
/// </summary>
public sealed class OnnxModelWriter
{
    private readonly ProtoWriter graph = new();
    private readonly List<(string Domain, long Version)> opsets = [("", 17), ("com.microsoft", 1)];

    public string Producer { get; init; } = "verifier-test-builder";

    public OnnxModelWriter Node(string opType, string[] inputs, string[] outputs, string domain = "", string? name = null, params (string Name, object Value)[] attributes)
    {
        graph.Message(1, n =>
        {
            foreach (var i in inputs) n.String(1, i);
            foreach (var o in outputs) n.String(2, o);
            n.String(3, name ?? outputs[0] + "_node");
            n.String(4, opType);
            foreach (var (an, av) in attributes)
            {
                n.Message(5, a =>
                {
                    a.String(1, an);
                    switch (av)
                    {
                        case int or long: a.Varint(3, Convert.ToInt64(av, CultureInfo.InvariantCulture)).Varint(20, 2); break;
                        case float f: a.Float(2, f).Varint(20, 1); break;
                        case string s: a.String(4, s).Varint(20, 3); break;
                        case long[] ints: a.PackedInt64s(8, ints).Varint(20, 7); break;
                        default: throw new ArgumentException($"Unsupported attribute value {av}");
                    }
                });
            }
            if (domain.Length > 0) n.String(7, domain);
        });
        return this;
    }

    /// <summary>An initializer whose bytes are inline (raw_data).</summary>
    public OnnxModelWriter Initializer(string name, int dataType, long[] dims, ReadOnlySpan<byte> raw)
    {
        var bytes = raw.ToArray();
        graph.Message(5, t => TensorHeader(t, name, dataType, dims).Bytes(9, bytes));
        return this;
    }

    /// <summary>An initializer stored in an external-data file (which need not exist for inspection).</summary>
    public OnnxModelWriter ExternalInitializer(string name, int dataType, long[] dims, string location, long offset, long length)
    {
        graph.Message(5, t =>
        {
            TensorHeader(t, name, dataType, dims);
            t.Message(13, e => e.String(1, "location").String(2, location));
            t.Message(13, e => e.String(1, "offset").String(2, offset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            t.Message(13, e => e.String(1, "length").String(2, length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            t.Varint(14, 1);
        });
        return this;
    }

    public OnnxModelWriter Input(ValueSpec v) { graph.Message(11, m => WriteValue(m, v)); return this; }

    public OnnxModelWriter Output(ValueSpec v) { graph.Message(12, m => WriteValue(m, v)); return this; }

    public byte[] ToBytes() => ModelHeader(graph.Length).Concat(graph.ToArray()).ToArray();

    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    /// <summary>
    /// Saves the model with one more initializer of <paramref name="rawBytes"/> inline raw_data whose payload is a
    /// sparse (unwritten) region: a multi-GB file is produced in milliseconds, for inspection benchmarks.
    /// </summary>
    public void SaveWithSparseInitializer(string path, string name, int dataType, long[] dims, long rawBytes)
    {
        var header = TensorHeader(new ProtoWriter(), name, dataType, dims);
        var tensorPrefix = new ProtoWriter().LengthPrefix(9, rawBytes).ToArray();
        var tensorLength = header.Length + tensorPrefix.Length + rawBytes;
        var initPrefix = new ProtoWriter().LengthPrefix(5, tensorLength).ToArray();
        var graphLength = graph.Length + initPrefix.Length + tensorLength;
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.Write(ModelHeader(graphLength));
        fs.Write(graph.ToArray());
        fs.Write(initPrefix);
        fs.Write(header.ToArray());
        fs.Write(tensorPrefix);
        fs.SetLength(fs.Position + rawBytes);
    }

    private byte[] ModelHeader(long graphLength)
    {
        var m = new ProtoWriter().Varint(1, 8).String(2, Producer);
        foreach (var (d, v) in opsets) m.Message(8, o => { if (d.Length > 0) o.String(1, d); o.Varint(2, v); });
        m.LengthPrefix(7, graphLength);
        return m.ToArray();
    }

    private static ProtoWriter TensorHeader(ProtoWriter t, string name, int dataType, long[] dims) =>
        t.PackedInt64s(1, dims).Varint(2, dataType).String(8, name);

    private static void WriteValue(ProtoWriter m, ValueSpec v)
    {
        m.String(1, v.Name);
        m.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, v.ElementType);
            tensor.Message(2, shape =>
            {
                foreach (var d in v.Dims)
                    shape.Message(1, dim => { if (d is string s) dim.String(2, s); else dim.Varint(1, Convert.ToInt64(d, CultureInfo.InvariantCulture)); });
            });
        }));
    }
}
