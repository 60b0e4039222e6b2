using Verifier.Targets.Onnx.Protobuf;

namespace Verifier.Targets.Onnx.Graph;

/// <summary>
/// Streams an ONNX ModelProto (onnx.proto field numbers) and keeps graph structure and tensor metadata;
/// raw_data and typed data arrays are skipped by seeking, so reading a multi-GB file touches only its structure.
/// </summary>
public static class OnnxGraphReader
{
    public static OnnxGraph Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        return Read(stream, out _);
    }

    /// <summary>Reads from a seekable stream; <paramref name="bytesRead"/> is how much was actually read (not skipped).</summary>
    public static OnnxGraph Read(Stream stream, out long bytesRead)
    {
        var r = new ProtoReader(stream);
        long ir = 0;
        var producer = "";
        var opsets = new List<OnnxOpset>();
        var nodes = new List<OnnxNode>();
        var inits = new List<OnnxTensor>();
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        var sawGraph = false;
        var end = stream.Length;
        while (r.NextField(end, out var field, out var wire))
        {
            switch (field, wire)
            {
                case (1, ProtoReader.WireVarint): ir = r.ReadInt64(); break;
                case (2, ProtoReader.WireLengthDelimited): producer = r.ReadString(); break;
                case (7, ProtoReader.WireLengthDelimited):
                    ReadGraph(r, r.ReadLengthEnd(), nodes, inits, inputs, outputs);
                    sawGraph = true;
                    break;
                case (8, ProtoReader.WireLengthDelimited): opsets.Add(ReadOpset(r, r.ReadLengthEnd())); break;
                default: r.SkipField(wire); break;
            }
        }
        if (!sawGraph) throw new InvalidDataException("No graph in the file: not an ONNX model.");
        bytesRead = r.BytesRead;
        return new OnnxGraph(ir, producer, opsets, nodes, inits, inputs, outputs);
    }

    private static OnnxOpset ReadOpset(ProtoReader r, long end)
    {
        var domain = "";
        long version = 0;
        while (r.NextField(end, out var f, out var w))
        {
            if (f == 1 && w == ProtoReader.WireLengthDelimited) domain = r.ReadString();
            else if (f == 2 && w == ProtoReader.WireVarint) version = r.ReadInt64();
            else r.SkipField(w);
        }
        return new OnnxOpset(domain, version);
    }

    private static void ReadGraph(ProtoReader r, long end, List<OnnxNode> nodes, List<OnnxTensor> inits, List<OnnxValueInfo> inputs, List<OnnxValueInfo> outputs)
    {
        while (r.NextField(end, out var f, out var w))
        {
            if (w != ProtoReader.WireLengthDelimited) { r.SkipField(w); continue; }
            switch (f)
            {
                case 1: nodes.Add(ReadNode(r, r.ReadLengthEnd())); break;
                case 5: inits.Add(ReadTensor(r, r.ReadLengthEnd())); break;
                case 11: inputs.Add(ReadValueInfo(r, r.ReadLengthEnd())); break;
                case 12: outputs.Add(ReadValueInfo(r, r.ReadLengthEnd())); break;
                default: r.SkipField(w); break;
            }
        }
        // Initializers listed as graph inputs (old exporters) are weights, not model inputs.
        var weightNames = inits.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        inputs.RemoveAll(i => weightNames.Contains(i.Name));
    }

    private static OnnxNode ReadNode(ProtoReader r, long end)
    {
        string name = "", op = "", domain = "";
        var ins = new List<string>();
        var outs = new List<string>();
        var attrs = new List<OnnxAttr>();
        while (r.NextField(end, out var f, out var w))
        {
            switch (f, w)
            {
                case (1, ProtoReader.WireLengthDelimited): ins.Add(r.ReadString()); break;
                case (2, ProtoReader.WireLengthDelimited): outs.Add(r.ReadString()); break;
                case (3, ProtoReader.WireLengthDelimited): name = r.ReadString(); break;
                case (4, ProtoReader.WireLengthDelimited): op = r.ReadString(); break;
                case (5, ProtoReader.WireLengthDelimited): attrs.Add(ReadAttribute(r, r.ReadLengthEnd())); break;
                case (7, ProtoReader.WireLengthDelimited): domain = r.ReadString(); break;
                default: r.SkipField(w); break;
            }
        }
        return new OnnxNode(name, op, domain, ins, outs, attrs);
    }

    private static OnnxAttr ReadAttribute(ProtoReader r, long end)
    {
        string name = "";
        long? i = null;
        float? fl = null;
        string? s = null;
        List<long>? ints = null;
        while (r.NextField(end, out var f, out var w))
        {
            switch (f, w)
            {
                case (1, ProtoReader.WireLengthDelimited): name = r.ReadString(); break;
                case (2, ProtoReader.WireFixed32): fl = r.ReadFloat(); break;
                case (3, ProtoReader.WireVarint): i = r.ReadInt64(); break;
                case (4, ProtoReader.WireLengthDelimited):
                    var bytes = r.ReadBytesTo(r.ReadLengthEnd());
                    s = System.Text.Encoding.UTF8.GetString(bytes);
                    break;
                case (8, _): r.ReadInt64s(w, ints ??= []); break;
                default: r.SkipField(w); break; // tensors, subgraphs, float lists
            }
        }
        return new OnnxAttr(name, i, fl, s, ints);
    }

    private static OnnxTensor ReadTensor(ProtoReader r, long end)
    {
        var dims = new List<long>();
        var type = 0;
        var name = "";
        long dataOffset = -1, dataLength = 0;
        var external = false;
        string? location = null;
        long extOffset = 0, extLength = -1;
        while (r.NextField(end, out var f, out var w))
        {
            switch (f, w)
            {
                case (1, _): r.ReadInt64s(w, dims); break;
                case (2, ProtoReader.WireVarint): type = r.ReadInt32(); break;
                case (8, ProtoReader.WireLengthDelimited): name = r.ReadString(); break;
                case (9, ProtoReader.WireLengthDelimited):
                    var dataEnd = r.ReadLengthEnd();
                    dataOffset = r.Position;
                    dataLength = dataEnd - dataOffset;
                    r.SeekTo(dataEnd); // the weights: never read
                    break;
                case (4 or 5 or 7 or 10 or 11, ProtoReader.WireLengthDelimited):
                    // Typed (packed) data arrays; their offset is kept so a fingerprint can hash them.
                    var typedEnd = r.ReadLengthEnd();
                    dataOffset = r.Position;
                    dataLength = typedEnd - dataOffset;
                    r.SeekTo(typedEnd);
                    break;
                case (13, ProtoReader.WireLengthDelimited):
                    var (key, value) = ReadEntry(r, r.ReadLengthEnd());
                    if (key == "location") location = value;
                    else if (key == "offset" && long.TryParse(value, out var o)) extOffset = o;
                    else if (key == "length" && long.TryParse(value, out var l)) extLength = l;
                    break;
                case (14, ProtoReader.WireVarint): external = r.ReadInt64() == 1; break;
                default: r.SkipField(w); break;
            }
        }
        TensorData? data = external
            ? new TensorData(true, location, extOffset, extLength)
            : dataOffset >= 0 ? new TensorData(false, null, dataOffset, dataLength) : null;
        return new OnnxTensor(name, type, dims, data);
    }

    private static (string Key, string Value) ReadEntry(ProtoReader r, long end)
    {
        string k = "", v = "";
        while (r.NextField(end, out var f, out var w))
        {
            if (f == 1 && w == ProtoReader.WireLengthDelimited) k = r.ReadString();
            else if (f == 2 && w == ProtoReader.WireLengthDelimited) v = r.ReadString();
            else r.SkipField(w);
        }
        return (k, v);
    }

    private static OnnxValueInfo ReadValueInfo(ProtoReader r, long end)
    {
        var name = "";
        var elem = 0;
        List<OnnxDim>? shape = null;
        while (r.NextField(end, out var f, out var w))
        {
            if (f == 1 && w == ProtoReader.WireLengthDelimited) name = r.ReadString();
            else if (f == 2 && w == ProtoReader.WireLengthDelimited)
            {
                var typeEnd = r.ReadLengthEnd();
                while (r.NextField(typeEnd, out var tf, out var tw))
                {
                    if (tf == 1 && tw == ProtoReader.WireLengthDelimited) ReadTensorType(r, r.ReadLengthEnd(), ref elem, ref shape);
                    else r.SkipField(tw);
                }
            }
            else r.SkipField(w);
        }
        return new OnnxValueInfo(name, elem, shape);
    }

    private static void ReadTensorType(ProtoReader r, long end, ref int elem, ref List<OnnxDim>? shape)
    {
        while (r.NextField(end, out var f, out var w))
        {
            if (f == 1 && w == ProtoReader.WireVarint) elem = r.ReadInt32();
            else if (f == 2 && w == ProtoReader.WireLengthDelimited)
            {
                shape = [];
                var shapeEnd = r.ReadLengthEnd();
                while (r.NextField(shapeEnd, out var sf, out var sw))
                {
                    if (sf != 1 || sw != ProtoReader.WireLengthDelimited) { r.SkipField(sw); continue; }
                    var dimEnd = r.ReadLengthEnd();
                    long? value = null;
                    string? param = null;
                    while (r.NextField(dimEnd, out var df, out var dw))
                    {
                        if (df == 1 && dw == ProtoReader.WireVarint) value = r.ReadInt64();
                        else if (df == 2 && dw == ProtoReader.WireLengthDelimited) param = r.ReadString();
                        else r.SkipField(dw);
                    }
                    shape.Add(new OnnxDim(value, param));
                }
            }
            else r.SkipField(w);
        }
    }
}
