using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Verifier.Targets.Onnx.Runtime;

/// <summary>A session, the device it really runs on (<c>auto</c> may have fallen back to the CPU) and that fallback's warning.</summary>
public sealed record OpenedSession(InferenceSession Session, OnnxDevice Device, string? Warning);

/// <summary>
/// Opens ONNX Runtime sessions (Microsoft.ML.OnnxRuntime) on the chosen device. The process-wide environment logs
/// only fatal messages: every error we act on arrives as an exception, and ONNX Runtime's own error log would
/// print a second, source-located line next to the one the user gets.
/// </summary>
public static class OnnxSessions
{
    private static readonly Lazy<OrtEnv> Environment = new(() =>
    {
        var options = new EnvironmentCreationOptions { logId = "verifier", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        return OrtEnv.CreateInstanceWithOptions(ref options);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The native library's version ("1.32.0").</summary>
    public static string Version => Environment.Value.GetVersionString();

    /// <summary>Opens from a path (so external-data files next to the model are found) on the settings' device.</summary>
    public static OpenedSession Open(string modelPath, OnnxSessionSettings? settings = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"No ONNX model at '{modelPath}'.", modelPath);
        settings ??= new OnnxSessionSettings();
        _ = Environment.Value;
        var path = Path.GetFullPath(modelPath);
        var device = settings.Device;
        if (device.Kind == OnnxDeviceKind.Cpu) return new OpenedSession(Create(path, settings, cuda: null), device, null);

        var cuda = device.Kind == OnnxDeviceKind.Auto ? 0 : device.CudaDeviceId;
        try
        {
            return new OpenedSession(Create(path, settings, cuda), new OnnxDevice(OnnxDeviceKind.Cuda, cuda), null);
        }
        catch (OnnxRuntimeException e) when (IsCudaFailure(e))
        {
            var reason = CudaProviderLoadError() ?? Reason(e.Message);
            if (device.Kind == OnnxDeviceKind.Cuda)
                throw new OnnxDeviceUnavailableException(
                    $"CUDA device {cuda} is not usable: {reason}. ONNX Runtime {Version}'s CUDA provider needs CUDA 13 and cuDNN 9; choose the device cpu, or auto to fall back to the CPU.", e);
            var warning = $"CUDA device {cuda} is not usable ({reason}); running on the CPU.";
            return new OpenedSession(Create(path, settings, cuda: null), OnnxDevice.Cpu, warning);
        }
    }

    private static InferenceSession Create(string path, OnnxSessionSettings settings, int? cuda)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = settings.InterOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (cuda is { } id) options.AppendExecutionProvider_CUDA(id); // loads the provider library and its CUDA dependencies
        return new InferenceSession(path, options);
    }

    /// <summary>
    /// A failure of the CUDA provider (library or dependency missing, no device) rather than of the model: the
    /// provider's own messages name CUDA, cuDNN or cuBLAS.
    /// </summary>
    private static bool IsCudaFailure(OnnxRuntimeException e) =>
        e.Message.Contains("cuda", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("cublas", StringComparison.OrdinalIgnoreCase);

    /// <summary>The cause without ONNX Runtime's "[ErrorCode:…]" prefix and source location: its first line, from the last "error: " on.</summary>
    internal static string Reason(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        var at = line.LastIndexOf("error: ", StringComparison.Ordinal);
        if (at >= 0) line = line[(at + "error: ".Length)..];
        else if (line.StartsWith("[ErrorCode:", StringComparison.Ordinal) && line.IndexOf("] ", StringComparison.Ordinal) is > 0 and var end) line = line[(end + 2)..];
        return line.TrimEnd('.', ' ');
    }

    /// <summary>
    /// ONNX Runtime only says the CUDA provider "failed to load"; the dynamic loader names what is missing
    /// ("libcublasLt.so.13: cannot open shared object file"). Null when the provider library loads.
    /// </summary>
    private static string? CudaProviderLoadError()
    {
        const string Provider = "libonnxruntime_providers_cuda.so";
        var lib = new[] { Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", Provider), Path.Combine(AppContext.BaseDirectory, Provider) }
            .FirstOrDefault(File.Exists);
        if (lib is null) return $"{Provider} is not installed next to the application";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(lib));
            return null;
        }
        catch (DllNotFoundException e)
        {
            // .NET's message ends with the loader's own: "<path>: libcublasLt.so.13: cannot open shared object file: …".
            var last = e.Message.TrimEnd().Split('\n')[^1];
            var at = last.IndexOf(Provider + ": ", StringComparison.Ordinal);
            return at >= 0 ? last[(at + Provider.Length + 2)..].TrimEnd('.', ' ') : last;
        }
    }
}
