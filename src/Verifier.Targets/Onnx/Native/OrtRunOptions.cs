using System.Runtime.InteropServices;

namespace Verifier.Targets.Onnx.Native;

/// <summary>
/// Per-Run options. <see cref="Terminate"/> asks ORT to abort Runs using these options (it checks between kernels),
/// which is how a CancellationToken stops a long prompt step on a large model.
/// </summary>
public sealed unsafe class OrtRunOptions : SafeHandle
{
#pragma warning disable CA1419 // never marshalled by P/Invoke: the handle comes from a function-pointer call
    private OrtRunOptions() : base(IntPtr.Zero, ownsHandle: true) { }
#pragma warning restore CA1419

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static OrtRunOptions Create()
    {
        _ = OrtEnvironment.Env; // loads the library (clear error when it is missing)
        IntPtr h;
        OrtApi.Check(OrtApi.CreateRunOptions(&h));
        var options = new OrtRunOptions();
        options.SetHandle(h);
        return options;
    }

    /// <summary>Makes current and later Runs with these options fail with ORT's "terminated" error.</summary>
    public void Terminate()
    {
        var added = false;
        DangerousAddRef(ref added);
        try { OrtApi.Check(OrtApi.RunOptionsSetTerminate(handle)); }
        finally { if (added) DangerousRelease(); }
    }

    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseRunOptions(handle);
        return true;
    }
}
