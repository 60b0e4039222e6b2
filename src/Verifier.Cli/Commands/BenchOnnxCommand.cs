using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Verifier.Cli.Output;
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
        var json = CliJson.Flag();
        var quiet = CliProgress.QuietOption();
        var command = new Command("onnx", "Generation-loop tokens/s vs a bare Run loop (overhead %), and inspection time on a multi-GB file.") { model, tokens, rounds, threads, bigFile, shapes, synthetic, device, json, quiet };
        command.SetAction((parse, ct) => CliProgress.RunAsync(parse, quiet, progress =>
        {
            try
            {
                if (parse.GetValue(model) is null && parse.GetValue(synthetic) is null && !parse.GetValue(bigFile) && !parse.GetValue(shapes))
                {
                    Console.Error.WriteLine("bench onnx: give a MODEL, --synthetic, --big-file or --shapes.");
                    return Task.FromResult(ExitCodes.Error);
                }
                var text = !parse.GetValue(json);
                var big = parse.GetValue(bigFile) ? BenchInspection(progress) : null;
                if (big is not null && text) PrintBigFile(big);
                var table = parse.GetValue(shapes) ? InspectionTable(progress) : null;
                if (table is not null && text) PrintShapes(table);
                var session = new OnnxSessionSettings(IntraOpThreads: parse.GetValue(threads), InterOpThreads: 1, Device: OnnxDevice.Parse(parse.GetValue(device)));
                var generation = parse.GetValue(synthetic) is { } family ? BenchSynthetic(family, parse.GetValue(tokens), parse.GetValue(rounds), session, progress)
                    : parse.GetValue(model) is { } m ? BenchGeneration(m, parse.GetValue(tokens), parse.GetValue(rounds), session, progress)
                    : null;
                progress.Done("bench onnx done");
                if (generation is not null && text) PrintGeneration(generation);
                if (!text) CliJson.Print(new { generation, bigFile = big, shapes = table });
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or OnnxRuntimeException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"bench onnx: {e.Message}");
                return Task.FromResult(ExitCodes.Error);
            }
        }));
        return command;
    }

    private static GenerationFigures BenchSynthetic(string family, int tokens, int rounds, OnnxSessionSettings session, CliProgress progress)
    {
        var f = family switch { "qwen2" => DecoderFamily.Qwen2, "llama" => DecoderFamily.Llama, _ => throw new NotSupportedException($"--synthetic takes qwen2 or llama, not '{family}'.") };
        var dir = Directory.CreateTempSubdirectory("verifier-synthetic-").FullName;
        try
        {
            var path = Path.Combine(dir, "model.onnx");
            new RunnableDecoderBuilder(new TinyDecoderShape(Layers: 6, Hidden: 512, Heads: 8, KvHeads: 2, Intermediate: 1536, Vocab: 32000, Context: 2048), f, seed: 1).Build().Save(path);
            return BenchGeneration(path, tokens, rounds, session, progress);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The generation loop against the bare Run loop: tokens/s of each (median of alternating rounds).</summary>
    public sealed record GenerationFigures(string Model, string RuntimeVersion, string Device, int IntraOpThreads, int PromptTokens, int NewTokens, int Rounds,
        double GenerationTokensPerSecond, double BareRunTokensPerSecond)
    {
        public double Ratio => GenerationTokensPerSecond / BareRunTokensPerSecond;

        public double OverheadPercent => (BareRunTokensPerSecond / GenerationTokensPerSecond - 1) * 100;
    }

    public sealed record BigFileFigures(long FileBytes, double WriteMilliseconds, double InspectMilliseconds, long BytesRead, string Verdict, string Summary);

    public sealed record ShapeRow(string BuiltAs, string Identified, long? Layers, long? Hidden, string Heads, long? Ffn, long? Vocab, long? Parameters, string Precision, double Milliseconds);

    private static GenerationFigures BenchGeneration(string path, int tokens, int rounds, OnnxSessionSettings session, CliProgress progress)
    {
        progress.Update("generation", "warm-up", 0, rounds);
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
            progress.Update("rounds", $"round {r + 1}/{rounds}", r, rounds, eta: true);
            var sw = Stopwatch.StartNew();
            var produced = decoder.Generate(prompt, settings).Count();
            gen.Add(produced / sw.Elapsed.TotalSeconds);
            sw.Restart();
            BareRun(decoder, prompt, sequence);
            bare.Add(sequence.Length / sw.Elapsed.TotalSeconds);
        }
        return new GenerationFigures(decoder.ModelPath, OnnxSessions.Version, decoder.Device.ToString(), session.IntraOpThreads, prompt.Length, tokens, rounds, Median(gen), Median(bare));
    }

    private static void PrintGeneration(GenerationFigures f)
    {
        Console.WriteLine($"model            {f.Model} (ONNX Runtime {f.RuntimeVersion} via Microsoft.ML.OnnxRuntime, device {f.Device}, intra-op threads {f.IntraOpThreads})");
        Console.WriteLine($"workload         prompt {f.PromptTokens} tokens + {f.NewTokens} new tokens, greedy, {f.Rounds} alternating rounds (median)");
        Console.WriteLine($"generation loop  {f.GenerationTokensPerSecond,10:F1} tokens/s");
        Console.WriteLine($"bare Run loop    {f.BareRunTokensPerSecond,10:F1} tokens/s   (peer: session.Run with preallocated inputs, same tokens)");
        Console.WriteLine($"ratio            {f.Ratio:F3}   overhead {f.OverheadPercent:F2}% (target ≤ 5%)");
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

    private static BigFileFigures BenchInspection(CliProgress progress)
    {
        progress.Update("big file", "writing a sparse 3.1 GB model", 0, 2);
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
            progress.Update("big file", "inspecting it", 1, 2);
            sw.Restart();
            var result = OnnxInspector.Inspect(path);
            var inspect = sw.Elapsed;
            return new BigFileFigures(result.FileBytes, write.TotalMilliseconds, inspect.TotalMilliseconds, result.BytesRead, result.Verdict.Kind.ToString(), result.Verdict.Summary);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void PrintBigFile(BigFileFigures f)
    {
        Console.WriteLine($"big file         {f.FileBytes:N0} bytes ({f.FileBytes / 1e9:F2} GB, sparse inline raw_data), written in {f.WriteMilliseconds:F0} ms");
        Console.WriteLine($"inspect          {f.InspectMilliseconds:F0} ms, {f.BytesRead:N0} bytes read ({100.0 * f.BytesRead / f.FileBytes:F4}% of the file)");
        Console.WriteLine($"verdict          {f.Verdict}: {f.Summary}");
    }

    /// <summary>Every catalogued distill shape at each precision the builder writes, identified from the graph alone.</summary>
    private static List<ShapeRow> InspectionTable(CliProgress progress)
    {
        var dir = Directory.CreateTempSubdirectory("verifier-shapes-").FullName;
        try
        {
            var rows = new List<ShapeRow>();
            var path = Path.Combine(dir, "model.onnx");
            var variants = VariantCatalog.Default.Variants.Where(v => v.Architecture.Moe is null).ToList();
            (BuildWeights, int, string)[] builds = [(BuildWeights.Fp16, 0, "fp16"), (BuildWeights.Int4MatMulNBits, 32, "int4-b32"), (BuildWeights.Int4MatMulNBits, 128, "int4-b128"), (BuildWeights.Int8Qdq, 0, "int8-qdq")];
            foreach (var variant in variants)
                foreach (var (weights, block, label) in builds)
                {
                    progress.Update("shapes", $"{variant.Id} {label}", rows.Count, variants.Count * builds.Length, eta: true);
                    var arch = variant.Architecture;
                    new DecoderGraphBuilder(arch, DecoderGraphBuilder.FamilyOf(arch), weights, block).Build().Save(path);
                    var sw = Stopwatch.StartNew();
                    var r = OnnxInspector.Inspect(path);
                    var g = r.FromGraph;
                    var found = r.Verdict.VariantId is { } id ? $"{id}@{r.Verdict.PrecisionId ?? "?"}" : r.Verdict.Kind.ToString();
                    var precision = r.Precision.BlockSize is { } b ? $"{r.Precision.Format} {r.Precision.Scheme} b{b}" : $"{r.Precision.Format} {r.Precision.Scheme}";
                    rows.Add(new ShapeRow(variant.Id + " " + label, found, g.Layers, g.HiddenSize, g.AttentionHeads + "/" + g.KvHeads, g.IntermediateSize, g.VocabSize, g.Parameters, precision, sw.Elapsed.TotalMilliseconds));
                }
            return rows;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void PrintShapes(List<ShapeRow> rows)
    {
        Console.WriteLine($"{"built as",-34} {"identified",-28} {"layers",6} {"hidden",6} {"heads",7} {"ffn",6} {"vocab",7} {"params",14} {"precision",-22} {"ms",5}");
        foreach (var r in rows)
            Console.WriteLine($"{r.BuiltAs,-34} {r.Identified,-28} {r.Layers,6} {r.Hidden,6} {r.Heads,7} {r.Ffn,6} {r.Vocab,7} {r.Parameters,14:N0} {r.Precision,-22} {r.Milliseconds,5:F0}");
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
