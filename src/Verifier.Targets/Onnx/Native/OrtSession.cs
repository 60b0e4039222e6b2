using System.Runtime.InteropServices;

namespace Verifier.Targets.Onnx.Native;

/// <summary>A model input or output as the session declares it; symbolic dims are -1.</summary>
public sealed record OrtNodeInfo(string Name, OrtElementType ElementType, IReadOnlyList<long> Shape);

public sealed record OrtSessionSettings(int IntraOpThreads = 0, int InterOpThreads = 1, int GraphOptimizationLevel = 99);

/// <summary>
/// An inference session (CreateSession from a path, so external-data files next to the model are found).
/// Run is thread-safe (ORT sessions allow concurrent Run); the handle is ref-counted across calls.
/// </summary>
public sealed unsafe class OrtSession : SafeHandle
{
#pragma warning disable CA1419 // never marshalled by P/Invoke: handles come from function-pointer calls
    private OrtSession() : base(IntPtr.Zero, ownsHandle: true) { }
#pragma warning restore CA1419

    public override bool IsInvalid => handle == IntPtr.Zero;

    public IReadOnlyList<OrtNodeInfo> Inputs { get; private set; } = [];
    public IReadOnlyList<OrtNodeInfo> Outputs { get; private set; } = [];

    public static OrtSession Open(string modelPath, OrtSessionSettings? settings = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"No ONNX model at '{modelPath}'.", modelPath);
        settings ??= new OrtSessionSettings();
        var env = OrtEnvironment.Env;
        IntPtr options;
        OrtApi.Check(OrtApi.CreateSessionOptions(&options));
        var session = new OrtSession();
        try
        {
            OrtApi.Check(OrtApi.SetIntraOpNumThreads(options, settings.IntraOpThreads));
            OrtApi.Check(OrtApi.SetInterOpNumThreads(options, settings.InterOpThreads));
            OrtApi.Check(OrtApi.SetGraphOptimizationLevel(options, settings.GraphOptimizationLevel));
            var path = Utf8(Path.GetFullPath(modelPath));
            IntPtr h;
            fixed (byte* p = path) OrtApi.Check(OrtApi.CreateSession(env, p, options, &h));
            session.SetHandle(h);
            session.Inputs = session.Describe(input: true);
            session.Outputs = session.Describe(input: false);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
        finally
        {
            OrtApi.ReleaseSessionOptions(options);
        }
    }

    /// <summary>Runs the model; outputs are new values the caller must dispose. <c>Run</c> blocks until done.</summary>
    public OrtValue[] Run(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames, OrtRunOptions? options = null)
    {
        if (inputNames.Count != inputs.Count) throw new ArgumentException("One name per input value.");
        var nameBlocks = new List<IntPtr>(inputNames.Count + outputNames.Count);
        var refs = new List<SafeHandle>(inputs.Count + 1);
        try
        {
            var inNames = stackalloc IntPtr[inputNames.Count];
            var inValues = stackalloc IntPtr[inputs.Count];
            var outNames = stackalloc IntPtr[outputNames.Count];
            var outValues = stackalloc IntPtr[outputNames.Count];
            for (var i = 0; i < inputNames.Count; i++) { inNames[i] = Marshal.StringToCoTaskMemUTF8(inputNames[i]); nameBlocks.Add(inNames[i]); }
            for (var i = 0; i < outputNames.Count; i++) { outNames[i] = Marshal.StringToCoTaskMemUTF8(outputNames[i]); nameBlocks.Add(outNames[i]); outValues[i] = IntPtr.Zero; }
            var ok = false;
            DangerousAddRef(ref ok);
            refs.Add(this);
            if (options is not null)
            {
                var addedOptions = false;
                options.DangerousAddRef(ref addedOptions);
                refs.Add(options);
            }
            for (var i = 0; i < inputs.Count; i++)
            {
                var added = false;
                inputs[i].DangerousAddRef(ref added);
                refs.Add(inputs[i]);
                inValues[i] = inputs[i].DangerousGetHandle();
            }
            OrtApi.Check(OrtApi.Run(handle, options?.DangerousGetHandle() ?? IntPtr.Zero, inNames, inValues, (nuint)inputs.Count, outNames, (nuint)outputNames.Count, outValues));
            var result = new OrtValue[outputNames.Count];
            for (var i = 0; i < result.Length; i++) result[i] = OrtValue.FromOwned(outValues[i]);
            return result;
        }
        finally
        {
            foreach (var r in refs) r.DangerousRelease();
            foreach (var b in nameBlocks) Marshal.FreeCoTaskMem(b);
        }
    }

    private List<OrtNodeInfo> Describe(bool input)
    {
        nuint count;
        OrtApi.Check(input ? OrtApi.SessionGetInputCount(handle, &count) : OrtApi.SessionGetOutputCount(handle, &count));
        var list = new List<OrtNodeInfo>();
        for (nuint i = 0; i < count; i++)
        {
            IntPtr namePtr, typeInfo, tensorInfo;
            OrtApi.Check(input ? OrtApi.SessionGetInputName(handle, i, OrtEnvironment.Allocator, &namePtr) : OrtApi.SessionGetOutputName(handle, i, OrtEnvironment.Allocator, &namePtr));
            var name = Marshal.PtrToStringUTF8(namePtr)!;
            OrtApi.Check(OrtApi.AllocatorFree(OrtEnvironment.Allocator, namePtr));
            OrtApi.Check(input ? OrtApi.SessionGetInputTypeInfo(handle, i, &typeInfo) : OrtApi.SessionGetOutputTypeInfo(handle, i, &typeInfo));
            try
            {
                OrtApi.Check(OrtApi.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo)); // borrowed
                if (tensorInfo == IntPtr.Zero) { list.Add(new OrtNodeInfo(name, OrtElementType.Undefined, [])); continue; }
                int type;
                nuint rank;
                OrtApi.Check(OrtApi.GetTensorElementType(tensorInfo, &type));
                OrtApi.Check(OrtApi.GetDimensionsCount(tensorInfo, &rank));
                var dims = new long[(int)rank];
                fixed (long* d = dims) OrtApi.Check(OrtApi.GetDimensions(tensorInfo, d, rank));
                list.Add(new OrtNodeInfo(name, (OrtElementType)type, dims));
            }
            finally
            {
                OrtApi.ReleaseTypeInfo(typeInfo);
            }
        }
        return list;
    }

    private static byte[] Utf8(string s) => [.. System.Text.Encoding.UTF8.GetBytes(s), 0];

    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseSession(handle);
        return true;
    }
}
