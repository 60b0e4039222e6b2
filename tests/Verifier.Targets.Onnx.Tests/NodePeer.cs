using System.Diagnostics;
using System.Text.Json;

namespace Verifier.Targets.Onnx.Tests;

/// <summary>
/// The reference peer: onnxruntime-node@1.30.0, an independent build of the runtime, run by node. Installed with
/// npm into .cache/ort-node at the repository root on first use and reused afterwards (a test peer only: the
/// product's runtime is the NuGet package). A live peer rather than recorded logits, so new models and inputs
/// are compared too; the small fp32 models here give bit-identical logits on node's 1.30 and the package's 1.32.
/// </summary>
public static class NodePeer
{
    private const string Script = """
        const ort = require(process.argv[2]);
        const fs = require('fs');
        const spec = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
        (async () => {
          const s = await ort.InferenceSession.create(spec.model, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
          const feeds = {};
          for (const [name, t] of Object.entries(spec.inputs)) {
            const data = t.type === 'int32' ? Int32Array.from(t.data) : t.type === 'int64' ? BigInt64Array.from(t.data.map(BigInt)) : Float32Array.from(t.data);
            feeds[name] = new ort.Tensor(t.type, data, t.dims);
          }
          const out = await s.run(feeds);
          const l = out[spec.output];
          process.stdout.write(JSON.stringify({ dims: l.dims, data: Buffer.from(l.data.buffer, l.data.byteOffset, l.data.byteLength).toString('base64') }));
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    private static readonly Lazy<string> Module = new(Install);

    public sealed record Tensor(string Type, long[] Dims, double[] Data);

    /// <summary>Runs the model in node and returns one float32 output (raw bits preserved).</summary>
    public static (long[] Dims, float[] Data) Run(string model, IReadOnlyDictionary<string, Tensor> inputs, string output)
    {
        var dir = Directory.CreateTempSubdirectory("verifier-peer-").FullName;
        try
        {
            var script = Path.Combine(dir, "run.js");
            File.WriteAllText(script, Script);
            var spec = Path.Combine(dir, "spec.json");
            File.WriteAllText(spec, JsonSerializer.Serialize(new
            {
                model,
                output,
                inputs = inputs.ToDictionary(kv => kv.Key, kv => new { type = kv.Value.Type, dims = kv.Value.Dims, data = kv.Value.Data }),
            }));
            var stdout = Exec("node", [script, Module.Value, spec], dir);
            using var doc = JsonDocument.Parse(stdout);
            var dims = doc.RootElement.GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var bytes = Convert.FromBase64String(doc.RootElement.GetProperty("data").GetString()!);
            var data = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
            return (dims, data);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static string Install()
    {
        var root = RepoRoot();
        var folder = Path.Combine(root, ".cache", "ort-node");
        var module = Path.Combine(folder, "node_modules", "onnxruntime-node");
        if (File.Exists(Path.Combine(module, "package.json"))) return module;
        Directory.CreateDirectory(folder);
        if (!File.Exists(Path.Combine(folder, "package.json"))) File.WriteAllText(Path.Combine(folder, "package.json"), """{"private":true}""");
        // --ignore-scripts: the package's postinstall only concerns optional GPU providers.
        Exec("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "onnxruntime-node@1.30.0"], folder);
        return module;
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Verifier.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Repository root (Verifier.sln) not found.");
    }

    private static string Exec(string file, string[] args, string cwd)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }
}
