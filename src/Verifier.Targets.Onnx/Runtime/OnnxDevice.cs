namespace Verifier.Targets.Onnx.Runtime;

public enum OnnxDeviceKind { Cpu, Cuda, Auto }

/// <summary>
/// Where a session runs: <c>cpu</c>, <c>cuda</c> / <c>cuda:N</c> (fails when CUDA is unusable), or <c>auto</c>
/// (CUDA device 0 when usable, else CPU with a warning). The default value is the CPU.
/// </summary>
public readonly record struct OnnxDevice(OnnxDeviceKind Kind, int CudaDeviceId = 0)
{
    public static OnnxDevice Cpu { get; } = new(OnnxDeviceKind.Cpu);

    public const string Syntax = "cpu, cuda, cuda:N or auto";

    public static bool TryParse(string? text, out OnnxDevice device)
    {
        device = Cpu;
        var t = text?.Trim().ToLowerInvariant();
        switch (t)
        {
            case "cpu": return true;
            case "auto": device = new(OnnxDeviceKind.Auto); return true;
            case "cuda": device = new(OnnxDeviceKind.Cuda); return true;
        }
        if (t is null || !t.StartsWith("cuda:", StringComparison.Ordinal)
            || !int.TryParse(t["cuda:".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)) return false;
        device = new(OnnxDeviceKind.Cuda, id);
        return true;
    }

    /// <summary>Parses a device name; the message names the accepted forms.</summary>
    public static OnnxDevice Parse(string? text) =>
        TryParse(text, out var d) ? d : throw new ArgumentException($"'{text}' is not a device: use {Syntax}.");

    public override string ToString() => Kind switch
    {
        OnnxDeviceKind.Cpu => "cpu",
        OnnxDeviceKind.Auto => "auto",
        _ => $"cuda:{CudaDeviceId}",
    };
}
