using System.Runtime.InteropServices;

namespace Verifier.Targets.Onnx.Native;

/// <summary>ONNX tensor element types (ONNXTensorElementDataType) used by decoders.</summary>
public enum OrtElementType { Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7, Bool = 9, Float16 = 10, Double = 11, BFloat16 = 16 }

/// <summary>
/// An OrtValue tensor. Values made from managed arrays keep them pinned until release (ORT reads that memory
/// directly); values returned by Run own ORT-allocated memory. Always dispose (ReleaseValue).
/// </summary>
public sealed unsafe class OrtValue : SafeHandle
{
    private GCHandle pin;

    private OrtValue(IntPtr handle, GCHandle pin) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
        this.pin = pin;
    }

    internal static OrtValue FromOwned(IntPtr handle) => new(handle, default);

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static OrtValue FromArray(float[] data, params long[] shape) => Create(data, OrtElementType.Float, sizeof(float), shape);
    public static OrtValue FromArray(long[] data, params long[] shape) => Create(data, OrtElementType.Int64, sizeof(long), shape);
    public static OrtValue FromArray(int[] data, params long[] shape) => Create(data, OrtElementType.Int32, sizeof(int), shape);
    public static OrtValue FromArray(Half[] data, params long[] shape) => Create(data, OrtElementType.Float16, 2, shape);

    private static OrtValue Create(Array data, OrtElementType type, int elementSize, long[] shape)
    {
        var count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length) throw new ArgumentException($"Shape [{string.Join(",", shape)}] needs {count} elements, got {data.Length}.");
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            IntPtr value;
            fixed (long* s = shape)
                OrtApi.Check(OrtApi.CreateTensorWithDataAsOrtValue(OrtEnvironment.CpuMemory, (void*)pin.AddrOfPinnedObject(),
                    (nuint)(data.Length * elementSize), s, (nuint)shape.Length, (int)type, &value));
            return new OrtValue(value, pin);
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    public OrtElementType ElementType
    {
        get { using var info = Info(); int t; OrtApi.Check(OrtApi.GetTensorElementType(info.Ptr, &t)); return (OrtElementType)t; }
    }

    public long[] Shape
    {
        get
        {
            using var info = Info();
            nuint n;
            OrtApi.Check(OrtApi.GetDimensionsCount(info.Ptr, &n));
            var dims = new long[(int)n];
            fixed (long* d = dims) OrtApi.Check(OrtApi.GetDimensions(info.Ptr, d, n));
            return dims;
        }
    }

    /// <summary>Element type and shape from one native type-and-shape query (cheaper than reading both properties).</summary>
    public (OrtElementType ElementType, long[] Shape) Describe()
    {
        using var info = Info();
        int t;
        nuint n;
        OrtApi.Check(OrtApi.GetTensorElementType(info.Ptr, &t));
        OrtApi.Check(OrtApi.GetDimensionsCount(info.Ptr, &n));
        var dims = new long[(int)n];
        fixed (long* d = dims) OrtApi.Check(OrtApi.GetDimensions(info.Ptr, d, n));
        return ((OrtElementType)t, dims);
    }

    /// <summary>The first <paramref name="count"/> elements of the tensor's memory, when the caller already knows the size.</summary>
    public Span<T> AsSpan<T>(long count) where T : unmanaged
    {
        void* data;
        OrtApi.Check(OrtApi.GetTensorMutableData(handle, &data));
        return new Span<T>(data, checked((int)count));
    }

    /// <summary>The tensor's memory as a span of <typeparamref name="T"/> (valid while this value is alive).</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        using var info = Info();
        nuint count;
        OrtApi.Check(OrtApi.GetTensorShapeElementCount(info.Ptr, &count));
        void* data;
        OrtApi.Check(OrtApi.GetTensorMutableData(handle, &data));
        return new Span<T>(data, checked((int)count));
    }

    public T[] ToArray<T>() where T : unmanaged => AsSpan<T>().ToArray();

    private TypeAndShape Info()
    {
        IntPtr info;
        OrtApi.Check(OrtApi.GetTensorTypeAndShape(handle, &info));
        return new TypeAndShape(info);
    }

    private readonly struct TypeAndShape(IntPtr ptr) : IDisposable
    {
        public IntPtr Ptr { get; } = ptr;
        public void Dispose() => OrtApi.ReleaseTensorTypeAndShapeInfo(Ptr);
    }

    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseValue(handle);
        if (pin.IsAllocated) pin.Free();
        return true;
    }
}
