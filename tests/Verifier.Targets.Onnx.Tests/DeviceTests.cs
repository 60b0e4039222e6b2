using Verifier.Targets.Onnx.Generation;
using Verifier.Targets.Onnx.Runtime;

namespace Verifier.Targets.Onnx.Tests;

/// <summary>Device choice: parsing, CUDA refused in one line where it cannot run, auto falling back to the CPU.</summary>
[Collection("onnx-process-memory")]
public sealed class DeviceTests
{
    [Theory]
    [InlineData("cpu", OnnxDeviceKind.Cpu, 0, "cpu")]
    [InlineData(" CPU ", OnnxDeviceKind.Cpu, 0, "cpu")]
    [InlineData("cuda", OnnxDeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("cuda:3", OnnxDeviceKind.Cuda, 3, "cuda:3")]
    [InlineData("auto", OnnxDeviceKind.Auto, 0, "auto")]
    public void Device_names_parse(string text, OnnxDeviceKind kind, int id, string shown)
    {
        var d = OnnxDevice.Parse(text);
        Assert.Equal(new OnnxDevice(kind, id), d);
        Assert.Equal(shown, d.ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_device_names_are_refused_with_the_accepted_forms(string? text)
    {
        Assert.False(OnnxDevice.TryParse(text, out _));
        var e = Assert.Throws<ArgumentException>(() => OnnxDevice.Parse(text));
        Assert.Contains(OnnxDevice.Syntax, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_device_is_the_cpu()
    {
        Assert.Equal(OnnxDevice.Cpu, default);
        Assert.Equal(OnnxDevice.Cpu, new OnnxSessionSettings().Device);
    }

    [Fact]
    public void Cuda_where_it_cannot_run_is_one_clear_line_not_a_runtime_trace()
    {
        // Device 99: no machine here has it; without CUDA 13 the provider's libraries are what is missing.
        var e = Assert.Throws<OnnxDeviceUnavailableException>(() => OnnxDecoder.Open(TestModels.Gpt2Folder, new OnnxSessionSettings(Device: OnnxDevice.Parse("cuda:99"))));
        Assert.StartsWith("CUDA device 99 is not usable: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("needs CUDA 13 and cuDNN 9", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain(".cc:", e.Message, StringComparison.Ordinal); // no ONNX Runtime source location
        Assert.DoesNotContain("[ErrorCode:", e.Message, StringComparison.Ordinal);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(e.InnerException);
    }

    [Fact]
    public void Auto_without_a_usable_gpu_runs_on_the_cpu_with_a_warning()
    {
        using var auto = OnnxDecoder.Open(TestModels.Gpt2Folder, new OnnxSessionSettings(1, 1, OnnxDevice.Parse("auto")));
        using var cpu = OnnxDecoder.Open(TestModels.Gpt2Folder, new OnnxSessionSettings(1, 1));
        if (auto.Device.Kind == OnnxDeviceKind.Cuda)
        {
            Assert.Null(auto.DeviceWarning); // a machine with CUDA 13: auto took the GPU
            return;
        }
        Assert.Equal(OnnxDevice.Cpu, auto.Device);
        Assert.StartsWith("CUDA device 0 is not usable (", auto.DeviceWarning, StringComparison.Ordinal);
        Assert.EndsWith("); running on the CPU.", auto.DeviceWarning, StringComparison.Ordinal);
        Assert.Null(cpu.DeviceWarning);
        int[] prompt = [98, 12, 500, 7];
        Assert.Equal(cpu.Generate(prompt, GenerationSettings.Greedy(8)), auto.Generate(prompt, GenerationSettings.Greedy(8)));
    }

    [Fact]
    public void Only_linux_x64_native_libraries_are_in_the_output()
    {
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        Assert.Equal(["linux-x64"], Directory.GetDirectories(runtimes).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(runtimes, "linux-x64", "native", "libonnxruntime.so")));
        Assert.DoesNotContain(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"), f => Path.GetFileName(f).StartsWith("onnxruntime", StringComparison.OrdinalIgnoreCase));
    }
}
