using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Verifier.Core.Catalog;
using Verifier.Targets.Onnx.Building;
using Verifier.Targets.Onnx.Generation;
using Verifier.Targets.Onnx.Graph;
using Verifier.Targets.Onnx.Inspection;
using Verifier.Targets.Onnx.Runtime;

namespace Verifier.Cli.Commands;

/// <summary>
/// `verifier bench onnx MODEL`: tokens/s of the generation loop against a bare session.Run loop over the same
/// token sequence (the peer) in the same process, and the loop's overhead. `--big-file-gb N` also times inspection
/// of an N-GB model file (written sparse, inline weights) to show inspection does not read weights.
/// </summary>
public static class BenchOnnxCommand
{
    public static Command Create()
    {
        var model = new Argument<string?>("model") { Description = "Decoder .onnx file or model folder (e.g. tests/data/models/tiny-random-gpt2).", Arity = ArgumentArity.ZeroOrOne };
        var tokens = new Option<int>("--tokens") { Description = "New tokens per round.", DefaultValueFactory = _ => 256 };
        var rounds = new Option<int>("--rounds") { Description = "Alternating rounds per side (median reported).", DefaultValueFactory = _ => 15 };
        var threads = new Option<int>("--threads") { Description = "ORT intra-op threads (0 = ORT default).", DefaultValueFactory = _ => 1 };
        var bigFile = new Option<bool>("--big-file") { Description = "Also time inspection of a 3.1 GB R1-Distill-Qwen-32B graph whose fp32 embedding is inline (written sparse)." };
        var shapes = new Option<bool>("--shapes") { Description = "Also build every catalogued distill's graph at fp16, int4 (MatMulNBits, blocks 32 and 128) and int8 (QDQ), weights external and absent, and print what inspection makes of each." };
        var synthetic = new Option<string?>("--synthetic") { Description = "Instead of MODEL, bench a generated runnable decoder: qwen2 or llama (6 layers, hidden 512, vocab 32000, random weights)." };
        var device = CommonOptions.Device();
        var command = new Command("onnx", "Generation-loop tokens/s vs a bare Run loop (overhead %), and inspection time on a multi-GB file.") { model, tokens, rounds, threads, bigFile, shapes, synthetic, device };
        command.SetAction(parse =>
        {
            try
            {
                if (parse.GetValue(bigFile)) BenchInspection();
                if (parse.GetValue(shapes)) InspectionTable();
                var session = new OnnxSessionSettings(IntraOpThreads: parse.GetValue(threads), InterOpThreads: 1, Device: OnnxDevice.Parse(parse.GetValue(device)));
                if (parse.GetValue(synthetic) is { } family) BenchSynthetic(family, parse.GetValue(tokens), parse.GetValue(rounds), session);
                else if (parse.GetValue(model) is { } m) BenchGeneration(m, parse.GetValue(tokens), parse.GetValue(rounds), session);
                else if (!parse.GetValue(bigFile) && !parse.GetValue(shapes)) { Console.Error.WriteLine("bench onnx: give a MODEL, --synthetic, --big-file or --shapes."); return ExitCodes.Error; }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or OnnxRuntimeException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"bench onnx: {e.Message}");
                return ExitCodes.Error;
            }
        });
        return command;
    }

    private static void BenchSynthetic(string family, int tokens, int rounds, OnnxSessionSettings session)
    {
        var f = family switch { "qwen2" => DecoderFamily.Qwen2, "llama" => DecoderFamily.Llama, _ => throw new NotSupportedException($"--synthetic takes qwen2 or llama, not '{family}'.") };
        var dir = Directory.CreateTempSubdirectory("verifier-synthetic-").FullName;
        try
        {
            var path = Path.Combine(dir, "model.onnx");
            new RunnableDecoderBuilder(new TinyDecoderShape(Layers: 6, Hidden: 512, Heads: 8, KvHeads: 2, Intermediate: 1536, Vocab: 32000, Context: 2048), f, seed: 1).Build().Save(path);
            BenchGeneration(path, tokens, rounds, session);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void BenchGeneration(string path, int tokens, int rounds, OnnxSessionSettings session)
    {
        using var decoder = OnnxDecoder.Open(path, session);
        if (decoder.DeviceWarning is { } warning) Console.Error.WriteLine($"warning: {warning}");
        int[] prompt = [1, 2, 3, 4, 5, 6, 7, 8];
        var settings = GenerationSettings.Greedy(tokens);
        var sequence = decoder.Generate(prompt, settings).ToArray(); // warm-up and the token sequence both sides replay
        BareRun(decoder, prompt, sequence);
        var gen = new List<double>();
        var bare = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            var produced = decoder.Generate(prompt, settings).Count();
            gen.Add(produced / sw.Elapsed.TotalSeconds);
            sw.Restart();
            BareRun(decoder, prompt, sequence);
            bare.Add(sequence.Length / sw.Elapsed.TotalSeconds);
        }
        var g = Median(gen);
        var b = Median(bare);
        Console.WriteLine($"model            {decoder.ModelPath} (ONNX Runtime {OnnxSessions.Version} via Microsoft.ML.OnnxRuntime, device {decoder.Device}, intra-op threads {session.IntraOpThreads})");
        Console.WriteLine($"workload         prompt {prompt.Length} tokens + {tokens} new tokens, greedy, {rounds} alternating rounds (median)");
        Console.WriteLine($"generation loop  {g,10:F1} tokens/s");
        Console.WriteLine($"bare Run loop    {b,10:F1} tokens/s   (peer: session.Run with preallocated inputs, same tokens)");
        Console.WriteLine($"ratio            {g / b:F3}   overhead {(b / g - 1) * 100:F2}% (target ≤ 5%)");
    }

    /// <summary>The peer: the same steps as raw Run calls with precomputed inputs and presents fed back, no sampling.</summary>
    private static void BareRun(OnnxDecoder decoder, int[] prompt, int[] sequence)
    {
        var layout = decoder.Layout;
        var session = decoder.Session;
        var outNames = new List<string> { layout.Logits };
        outNames.AddRange(layout.Kv.Select(k => k.PresentName));
        var past = layout.Kv.Select(k => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, k.ElementType, k.EmptyShape)).ToList();
        using var run = new RunOptions();
        var total = 0;
        var step = prompt;
        for (var i = 0; i < sequence.Length; i++)
        {
            var names = new List<string> { layout.InputIds };
            var values = new List<OrtValue> { OnnxDecoder.Ints(step, layout.IdsType, [1, step.Length]) };
            if (layout.AttentionMask is { } mask) { names.Add(mask); values.Add(OnnxDecoder.Ints(Enumerable.Repeat(1, total + step.Length).ToArray(), layout.MaskType, [1, total + step.Length])); }
            if (layout.PositionIds is { } pos) { names.Add(pos); values.Add(OnnxDecoder.Ints(Enumerable.Range(total, step.Length).ToArray(), layout.PositionType, [1, step.Length])); }
            names.AddRange(layout.Kv.Select(k => k.PastName));
            values.AddRange(past);
            var outputs = session.Run(run, names, values, outNames);
            outputs[0].Dispose();
            foreach (var v in values) v.Dispose();
            past = outputs.Skip(1).ToList();
            total += step.Length;
            step = [sequence[i]];
        }
        foreach (var v in past) v.Dispose();
    }

    private static void BenchInspection()
    {
        var dir = Directory.CreateTempSubdirectory("verifier-bigmodel-").FullName;
        try
        {
            var path = Path.Combine(dir, "model.onnx");
            var arch = VariantCatalog.Default.Get("r1-distill-qwen-32b").Architecture;
            var bytes = (long)arch.VocabSize * arch.HiddenSize * 4;
            var sw = Stopwatch.StartNew();
            new DecoderGraphBuilder(arch, DecoderFamily.Qwen2, BuildWeights.Fp32) { InlineEmbedding = true }.Build()
                .SaveWithSparseInitializer(path, DecoderGraphBuilder.EmbeddingName, OnnxDataType.Float, [arch.VocabSize, arch.HiddenSize], bytes);
            var write = sw.Elapsed;
            sw.Restart();
            var result = OnnxInspector.Inspect(path);
            var inspect = sw.Elapsed;
            Console.WriteLine($"big file         {result.FileBytes:N0} bytes ({result.FileBytes / 1e9:F2} GB, sparse inline raw_data), written in {write.TotalMilliseconds:F0} ms");
            Console.WriteLine($"inspect          {inspect.TotalMilliseconds:F0} ms, {result.BytesRead:N0} bytes read ({100.0 * result.BytesRead / result.FileBytes:F4}% of the file)");
            Console.WriteLine($"verdict          {result.Verdict.Kind}: {result.Verdict.Summary}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Every catalogued distill shape at each precision the builder writes, identified from the graph alone.</summary>
    private static void InspectionTable()
    {
        var dir = Directory.CreateTempSubdirectory("verifier-shapes-").FullName;
        try
        {
            Console.WriteLine($"{"built as",-34} {"identified",-28} {"layers",6} {"hidden",6} {"heads",7} {"ffn",6} {"vocab",7} {"params",14} {"precision",-22} {"ms",5}");
            var path = Path.Combine(dir, "model.onnx");
            foreach (var variant in VariantCatalog.Default.Variants.Where(v => v.Architecture.Moe is null))
                foreach (var (weights, block, label) in new[] { (BuildWeights.Fp16, 0, "fp16"), (BuildWeights.Int4MatMulNBits, 32, "int4-b32"), (BuildWeights.Int4MatMulNBits, 128, "int4-b128"), (BuildWeights.Int8Qdq, 0, "int8-qdq") })
                {
                    var arch = variant.Architecture;
                    new DecoderGraphBuilder(arch, DecoderGraphBuilder.FamilyOf(arch), weights, block).Build().Save(path);
                    var sw = Stopwatch.StartNew();
                    var r = OnnxInspector.Inspect(path);
                    var g = r.FromGraph;
                    var found = r.Verdict.VariantId is { } id ? $"{id}@{r.Verdict.PrecisionId ?? "?"}" : r.Verdict.Kind.ToString();
                    var precision = r.Precision.BlockSize is { } b ? $"{r.Precision.Format} {r.Precision.Scheme} b{b}" : $"{r.Precision.Format} {r.Precision.Scheme}";
                    Console.WriteLine($"{variant.Id + " " + label,-34} {found,-28} {g.Layers,6} {g.HiddenSize,6} {g.AttentionHeads + "/" + g.KvHeads,7} {g.IntermediateSize,6} {g.VocabSize,7} {g.Parameters,14:N0} {precision,-22} {sw.Elapsed.TotalMilliseconds,5:F0}");
                }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
