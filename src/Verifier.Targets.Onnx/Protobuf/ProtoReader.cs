namespace Verifier.Targets.Onnx.Protobuf;

/// <summary>
/// Minimal protobuf wire-format reader over a seekable stream with its own buffer. Skipping a
/// length-delimited field that lies beyond the buffer seeks the stream, so multi-GB raw_data
/// payloads are never read (that is what makes inspection of big files take milliseconds).
/// </summary>
public sealed class ProtoReader
{
    public const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireFixed32 = 5;

    private readonly Stream stream;
    private readonly byte[] buffer;
    private long bufferStart; // absolute stream offset of buffer[0]
    private int bufferLength;
    private int index;

    public ProtoReader(Stream stream, int bufferSize = 64 * 1024)
    {
        if (!stream.CanSeek) throw new ArgumentException("ProtoReader needs a seekable stream.", nameof(stream));
        this.stream = stream;
        buffer = new byte[bufferSize];
        bufferStart = stream.Position;
    }

    /// <summary>Absolute offset of the next byte.</summary>
    public long Position => bufferStart + index;

    /// <summary>Bytes actually read from the underlying stream (skipped payloads excluded).</summary>
    public long BytesRead { get; private set; }

    public bool AtEnd(long end) => Position >= end || (Position >= stream.Length);

    public long StreamLength => stream.Length;

    /// <summary>Reads the next field tag; returns false when <paramref name="end"/> is reached.</summary>
    public bool NextField(long end, out int field, out int wire)
    {
        field = 0;
        wire = 0;
        if (Position >= end) return false;
        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wire = (int)(tag & 7);
        if (field == 0) throw new InvalidDataException($"Invalid protobuf tag 0 at offset {Position}: not an ONNX model file?");
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException($"Malformed varint at offset {Position}.");
    }

    public long ReadInt64() => (long)ReadVarint();

    public int ReadInt32() => (int)(long)ReadVarint();

    public float ReadFloat() => BitConverter.Int32BitsToSingle((int)ReadFixed32());

    public uint ReadFixed32()
    {
        uint v = 0;
        for (var i = 0; i < 4; i++) v |= (uint)ReadByte() << (8 * i);
        return v;
    }

    public ulong ReadFixed64()
    {
        ulong v = 0;
        for (var i = 0; i < 8; i++) v |= (ulong)ReadByte() << (8 * i);
        return v;
    }

    /// <summary>Reads a length prefix and returns the absolute end offset of the payload.</summary>
    public long ReadLengthEnd()
    {
        var length = (long)ReadVarint();
        var end = Position + length;
        if (length < 0 || end > stream.Length) throw new InvalidDataException($"Length {length} at offset {Position} runs past the end of the file (truncated model?).");
        return end;
    }

    public string ReadString()
    {
        var end = ReadLengthEnd();
        var bytes = ReadBytesTo(end);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    public byte[] ReadBytesTo(long end)
    {
        var length = checked((int)(end - Position));
        var result = new byte[length];
        var written = 0;
        while (written < length)
        {
            if (index >= bufferLength) Fill();
            var n = Math.Min(length - written, bufferLength - index);
            Buffer.BlockCopy(buffer, index, result, written, n);
            index += n;
            written += n;
        }
        return result;
    }

    /// <summary>Reads packed or unpacked repeated int64 values into <paramref name="into"/>.</summary>
    public void ReadInt64s(int wire, List<long> into)
    {
        if (wire == WireLengthDelimited)
        {
            var end = ReadLengthEnd();
            while (Position < end) into.Add(ReadInt64());
        }
        else into.Add(ReadInt64());
    }

    public void SkipField(int wire)
    {
        switch (wire)
        {
            case WireVarint: ReadVarint(); break;
            case WireFixed64: SeekTo(Position + 8); break;
            case WireLengthDelimited: SeekTo(ReadLengthEnd()); break;
            case WireFixed32: SeekTo(Position + 4); break;
            default: throw new InvalidDataException($"Unsupported protobuf wire type {wire} at offset {Position}.");
        }
    }

    /// <summary>Moves to an absolute offset: inside the buffer by index, otherwise by seeking (no read).</summary>
    public void SeekTo(long offset)
    {
        if (offset >= bufferStart && offset <= bufferStart + bufferLength)
        {
            index = (int)(offset - bufferStart);
            return;
        }
        stream.Seek(offset, SeekOrigin.Begin);
        bufferStart = offset;
        bufferLength = 0;
        index = 0;
    }

    private byte ReadByte()
    {
        if (index >= bufferLength) Fill();
        return buffer[index++];
    }

    private void Fill()
    {
        bufferStart += bufferLength;
        if (stream.Position != bufferStart) stream.Seek(bufferStart, SeekOrigin.Begin);
        index = 0;
        bufferLength = stream.Read(buffer, 0, buffer.Length);
        BytesRead += bufferLength;
        if (bufferLength == 0) throw new InvalidDataException($"Unexpected end of file at offset {bufferStart} (truncated model?).");
    }
}
