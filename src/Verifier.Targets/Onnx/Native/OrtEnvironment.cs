namespace Verifier.Targets.Onnx.Native;

/// <summary>
/// The process-wide ORT environment and CPU memory info, created on first use and kept for the process lifetime
/// (ORT allows one environment per process; releasing it while sessions live would be unsafe).
/// </summary>
public static unsafe class OrtEnvironment
{
    private static readonly Lazy<(IntPtr Env, IntPtr CpuMemory, IntPtr Allocator)> State = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when the native library can be loaded (false: inspection still works, sessions do not).</summary>
    public static bool IsAvailable
    {
        get
        {
            try { _ = State.Value; return true; }
            catch (Exception e) when (e is FileNotFoundException or DllNotFoundException or InvalidOperationException or BadImageFormatException) { return false; }
        }
    }

    public static string Version { get { _ = State.Value; return OrtApi.Version; } }

    internal static IntPtr Env => State.Value.Env;
    internal static IntPtr CpuMemory => State.Value.CpuMemory;
    internal static IntPtr Allocator => State.Value.Allocator;

    private static (IntPtr, IntPtr, IntPtr) Create()
    {
        IntPtr env, mem, alloc;
        var logId = "verifier"u8.ToArray().Append((byte)0).ToArray();
        fixed (byte* id = logId) OrtApi.Check(OrtApi.CreateEnv(3 /* ERROR */, id, &env));
        OrtApi.Check(OrtApi.CreateCpuMemoryInfo(0, 0, &mem));
        OrtApi.Check(OrtApi.GetAllocatorWithDefaultOptions(&alloc)); // owned by ORT, never freed
        return (env, mem, alloc);
    }
}
