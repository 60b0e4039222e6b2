using System.Runtime.InteropServices;
using Verifier.Core.Assets;

namespace Verifier.Targets.Onnx.Native;

/// <summary>An ONNX Runtime error, carrying ORT's own message and error code.</summary>
public sealed class OrtException(int code, string message) : Exception($"ONNX Runtime error {code}: {message}")
{
    public int ErrorCode { get; } = code;
    public string OrtMessage { get; } = message;
}

/// <summary>
/// The ONNX Runtime C API function table (OrtGetApiBase → GetApi(30)), loaded once per process from the pinned
/// libonnxruntime.so.1 asset. Slots are fixed (functions are only appended; see shared/reference/onnxruntime-c-api.md).
/// </summary>
internal static unsafe class OrtApi
{
    public const uint ApiVersion = 30;
    public const string AssetPath = "onnxruntime/libonnxruntime.so.1";

    private static readonly Lazy<IntPtr> Table = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    private static string? version;

    /// <summary>The library's version string ("1.30.0").</summary>
    public static string Version { get { _ = Table.Value; return version!; } }

    private static IntPtr Load()
    {
        var path = AssetPaths.Require(AssetPath); // a clear FileNotFoundException naming scripts/fetch-assets.sh
        var lib = NativeLibrary.Load(path);
        var getApiBase = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(lib, "OrtGetApiBase");
        var apiBase = getApiBase();
        var getApi = (delegate* unmanaged<uint, IntPtr>)Marshal.ReadIntPtr(apiBase, 0);
        var getVersion = (delegate* unmanaged<IntPtr>)Marshal.ReadIntPtr(apiBase, IntPtr.Size);
        version = Marshal.PtrToStringUTF8(getVersion());
        var api = getApi(ApiVersion);
        if (api == IntPtr.Zero) throw new InvalidOperationException($"{path} (version {version}) does not offer ONNX Runtime C API {ApiVersion}; run scripts/fetch-assets.sh.");
        return api;
    }

    private static IntPtr Slot(int i) => Marshal.ReadIntPtr(Table.Value, i * IntPtr.Size);

    /// <summary>Throws an <see cref="OrtException"/> for a non-null status (copying the message before releasing it).</summary>
    public static void Check(IntPtr status)
    {
        if (status == IntPtr.Zero) return;
        var code = ((delegate* unmanaged<IntPtr, int>)Slot(1))(status);
        var message = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr, IntPtr>)Slot(2))(status)) ?? "(no message)";
        ReleaseStatus(status);
        throw new OrtException(code, message);
    }

    public static IntPtr CreateEnv(int logLevel, byte* logId, IntPtr* env) => ((delegate* unmanaged<int, byte*, IntPtr*, IntPtr>)Slot(3))(logLevel, logId, env);
    public static IntPtr CreateSession(IntPtr env, byte* path, IntPtr options, IntPtr* session) => ((delegate* unmanaged<IntPtr, byte*, IntPtr, IntPtr*, IntPtr>)Slot(7))(env, path, options, session);
    public static IntPtr Run(IntPtr session, IntPtr runOptions, IntPtr* inputNames, IntPtr* inputs, nuint inputCount, IntPtr* outputNames, nuint outputCount, IntPtr* outputs) =>
        ((delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)Slot(9))(session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs);
    public static IntPtr CreateSessionOptions(IntPtr* options) => ((delegate* unmanaged<IntPtr*, IntPtr>)Slot(10))(options);
    public static IntPtr SetGraphOptimizationLevel(IntPtr options, int level) => ((delegate* unmanaged<IntPtr, int, IntPtr>)Slot(23))(options, level);
    public static IntPtr SetIntraOpNumThreads(IntPtr options, int n) => ((delegate* unmanaged<IntPtr, int, IntPtr>)Slot(24))(options, n);
    public static IntPtr SetInterOpNumThreads(IntPtr options, int n) => ((delegate* unmanaged<IntPtr, int, IntPtr>)Slot(25))(options, n);
    public static IntPtr SessionGetInputCount(IntPtr session, nuint* count) => ((delegate* unmanaged<IntPtr, nuint*, IntPtr>)Slot(30))(session, count);
    public static IntPtr SessionGetOutputCount(IntPtr session, nuint* count) => ((delegate* unmanaged<IntPtr, nuint*, IntPtr>)Slot(31))(session, count);
    public static IntPtr SessionGetInputTypeInfo(IntPtr session, nuint i, IntPtr* info) => ((delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)Slot(33))(session, i, info);
    public static IntPtr SessionGetOutputTypeInfo(IntPtr session, nuint i, IntPtr* info) => ((delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)Slot(34))(session, i, info);
    public static IntPtr SessionGetInputName(IntPtr session, nuint i, IntPtr allocator, IntPtr* name) => ((delegate* unmanaged<IntPtr, nuint, IntPtr, IntPtr*, IntPtr>)Slot(36))(session, i, allocator, name);
    public static IntPtr SessionGetOutputName(IntPtr session, nuint i, IntPtr allocator, IntPtr* name) => ((delegate* unmanaged<IntPtr, nuint, IntPtr, IntPtr*, IntPtr>)Slot(37))(session, i, allocator, name);
    // 39/46: CreateRunOptions / RunOptionsSetTerminate (onnxruntime_c_api.h order, between SessionGetOverridableInitializerName (38) and CreateTensorAsOrtValue (48)).
    public static IntPtr CreateRunOptions(IntPtr* options) => ((delegate* unmanaged<IntPtr*, IntPtr>)Slot(39))(options);
    public static IntPtr RunOptionsSetTerminate(IntPtr options) => ((delegate* unmanaged<IntPtr, IntPtr>)Slot(46))(options);
    public static IntPtr CreateTensorWithDataAsOrtValue(IntPtr memoryInfo, void* data, nuint bytes, long* shape, nuint rank, int type, IntPtr* value) =>
        ((delegate* unmanaged<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)Slot(49))(memoryInfo, data, bytes, shape, rank, type, value);
    public static IntPtr GetTensorMutableData(IntPtr value, void** data) => ((delegate* unmanaged<IntPtr, void**, IntPtr>)Slot(51))(value, data);
    public static IntPtr CastTypeInfoToTensorInfo(IntPtr typeInfo, IntPtr* tensorInfo) => ((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)Slot(55))(typeInfo, tensorInfo);
    public static IntPtr GetTensorElementType(IntPtr info, int* type) => ((delegate* unmanaged<IntPtr, int*, IntPtr>)Slot(60))(info, type);
    public static IntPtr GetDimensionsCount(IntPtr info, nuint* count) => ((delegate* unmanaged<IntPtr, nuint*, IntPtr>)Slot(61))(info, count);
    public static IntPtr GetDimensions(IntPtr info, long* dims, nuint count) => ((delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)Slot(62))(info, dims, count);
    public static IntPtr GetSymbolicDimensions(IntPtr info, IntPtr* names, nuint count) => ((delegate* unmanaged<IntPtr, IntPtr*, nuint, IntPtr>)Slot(63))(info, names, count);
    public static IntPtr GetTensorShapeElementCount(IntPtr info, nuint* count) => ((delegate* unmanaged<IntPtr, nuint*, IntPtr>)Slot(64))(info, count);
    public static IntPtr GetTensorTypeAndShape(IntPtr value, IntPtr* info) => ((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)Slot(65))(value, info);
    public static IntPtr CreateCpuMemoryInfo(int allocatorType, int memType, IntPtr* info) => ((delegate* unmanaged<int, int, IntPtr*, IntPtr>)Slot(69))(allocatorType, memType, info);
    public static IntPtr AllocatorFree(IntPtr allocator, IntPtr p) => ((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Slot(76))(allocator, p);
    public static IntPtr GetAllocatorWithDefaultOptions(IntPtr* allocator) => ((delegate* unmanaged<IntPtr*, IntPtr>)Slot(78))(allocator);
    public static void ReleaseStatus(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(93))(p);
    public static void ReleaseMemoryInfo(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(94))(p);
    public static void ReleaseSession(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(95))(p);
    public static void ReleaseValue(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(96))(p);
    public static void ReleaseRunOptions(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(97))(p);
    public static void ReleaseTypeInfo(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(98))(p);
    public static void ReleaseTensorTypeAndShapeInfo(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(99))(p);
    public static void ReleaseSessionOptions(IntPtr p) => ((delegate* unmanaged<IntPtr, void>)Slot(100))(p);
}
