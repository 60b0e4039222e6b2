namespace Verifier.Targets.Onnx.Protobuf;

using System.Buffers;

/// <summary>Minimal protobuf wire-format writer (into memory); nested messages are written by a child writer.</summary>
public sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new();

    public long Length => buffer.WrittenCount;

    public byte[] ToArray() => buffer.WrittenSpan.ToArray();

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, ProtoReader.WireVarint);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, ProtoReader.WireFixed32);
        Span<byte> b = stackalloc byte[4];
        BitConverter.TryWriteBytes(b, value);
        buffer.Write(b);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, ProtoReader.WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        buffer.Write(value);
        return this;
    }

    public ProtoWriter PackedInt64s(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.WriteVarint((ulong)v);
        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    /// <summary>Writes a tag and a length prefix only (the payload follows elsewhere, e.g. a sparse region of a file).</summary>
    public ProtoWriter LengthPrefix(int field, long length)
    {
        Tag(field, ProtoReader.WireLengthDelimited);
        WriteVarint((ulong)length);
        return this;
    }

    public static int VarintSize(ulong v)
    {
        var n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    private void Tag(int field, int wire) => WriteVarint(((ulong)field << 3) | (uint)wire);

    private void WriteVarint(ulong v)
    {
        while (v >= 0x80)
        {
            buffer.Write([(byte)(v | 0x80)]);
            v >>= 7;
        }
        buffer.Write([(byte)v]);
    }
}
