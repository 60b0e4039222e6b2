namespace Verifier.Cli.Tests;

using System.Text.Json;
using Verifier.Core.Tokenization;
using Verifier.Simulator;

/// <summary>The built `verifier` command as a user runs it: output, files and exit codes.</summary>
public class CliTests
{
    private static Task<(int Code, string Out, string Err)> Run(string? stdin, params string[] args) => CliProcess.Run(stdin, null, args);

    private static string Gpt2Folder() => Path.Combine(CliProcess.RepositoryRoot(), "tests", "data", "models", "tiny-random-gpt2");

    [Fact]
    public async Task Audit_on_a_cuda_device_that_cannot_run_fails_with_one_error_line()
    {
        // Device 99 exists nowhere; on machines without CUDA 13 the provider's libraries are what is missing.
        var (code, stdout, err) = await Run(null, "audit", "--onnx", Gpt2Folder(), "--claimed", "r1-distill-qwen-1.5b", "--device", "cuda:99");
        Assert.Equal(3, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("error: CUDA device 99 is not usable: ", line, StringComparison.Ordinal);
        Assert.Contains("needs CUDA 13 and cuDNN 9", line, StringComparison.Ordinal);

        var (bad, _, badErr) = await Run(null, "audit", "--onnx", Gpt2Folder(), "--claimed", "r1-distill-qwen-1.5b", "--device", "gpu");
        Assert.Equal(3, bad);
        Assert.Equal("error: 'gpu' is not a device: use cpu, cuda, cuda:N or auto.", badErr.TrimEnd());
    }

    [Fact]
    public async Task Bench_onnx_on_auto_reports_the_device_it_ran_on_and_warns_on_fallback()
    {
        var (code, stdout, err) = await Run(null, "bench", "onnx", Gpt2Folder(), "--device", "auto", "--tokens", "4", "--rounds", "1", "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains("ONNX Runtime 1.32.0", stdout, StringComparison.Ordinal);
        Assert.Contains("overhead", stdout, StringComparison.Ordinal);
        if (stdout.Contains("device cuda:0", StringComparison.Ordinal)) { Assert.Equal("", err); return; } // a machine with CUDA 13
        Assert.Contains("device cpu,", stdout, StringComparison.Ordinal);
        var warning = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("warning: CUDA device 0 is not usable (", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokenize_writes_one_row_of_ids_per_input_row_in_order()
    {
        var input = Path.GetTempFileName();
        var output = Path.GetTempFileName();
        await File.WriteAllLinesAsync(input, [JsonSerializer.Serialize(new { text = "12345678901234567890" }), JsonSerializer.Serialize(new { text = "<think>\n你好" })]);
        var (code, _, err) = await Run(null, "tokenize", "--tokenizer", "qwen", "--input", input, "--output", output);
        Assert.True(code == 0, err);
        var rows = (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(Tokenizers.Get(TokenizerFamily.Qwen).Encode("12345678901234567890"), rows[0]);
        Assert.Equal(20, rows[0].Length);
    }

    [Fact]
    public async Task Tokenize_reads_standard_input_and_names_the_bad_line()
    {
        var (code, stdout, _) = await Run("{\"text\":\"hi\"}\n", "tokenize", "--tokenizer", "r1-distill-llama-8b", "--input", "-");
        Assert.Equal(0, code);
        Assert.StartsWith("{\"ids\":[", stdout, StringComparison.Ordinal);
        var (bad, _, err) = await Run("{\"text\":\"ok\"}\nnot json\n", "tokenize", "--tokenizer", "llama3", "--input", "-");
        Assert.Equal(3, bad);
        Assert.Contains("line 2", err, StringComparison.Ordinal);
        var (unknown, _, err2) = await Run(null, "tokenize", "--tokenizer", "gpt2", "--input", "-");
        Assert.Equal(3, unknown);
        Assert.Contains("gpt2", err2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_records_simulated_references_and_reports_the_substitution_marked_as_simulation()
    {
        var (code, stdout, err) = await Run(null, "demo", "--record-references", "1");
        Assert.True(code == 1, err); // mismatch
        Assert.StartsWith("> **SIMULATION", stdout, StringComparison.Ordinal);
        Assert.Contains("**MISMATCH — the endpoint is not the claimed model**", stdout, StringComparison.Ordinal);
        Assert.Contains("SIMULATION reference r1-distill-qwen-7b@bf16", err, StringComparison.Ordinal);
        Assert.Contains("`r1-distill-qwen-7b@bf16:", stdout, StringComparison.Ordinal); // the reference runs used are named

        var (bad, _, badErr) = await Run(null, "demo", "--record-references", "-1");
        Assert.Equal(3, bad);
        Assert.Contains("--record-references", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_exit_code_is_the_verdict_and_bad_arguments_are_3()
    {
        var scenario = Scenario.Load(Path.Combine(Verifier.Core.Catalog.ProbeFiles.Root, "scenarios", "distill-llama-8b-as-r1.json"));
        await using var vendor = await SimulatedVendor.StartAsync(scenario);
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.json");
        var (code, stdout, err) = await Run(null, "audit", "--endpoint", vendor.BaseUrl.ToString(), "--model", "deepseek-reasoner", "--claimed", "deepseek-r1", "--max-requests", "12", "--out", report, "--allow-host", "127.0.0.1");
        Assert.True(code == 1, $"exit {code}: {err}");
        Assert.Contains("mismatch", stdout, StringComparison.Ordinal);
        Assert.Equal("mismatch", JsonDocument.Parse(await File.ReadAllTextAsync(report)).RootElement.GetProperty("verdict").GetString());
        var html = Path.ChangeExtension(report, ".html");
        Assert.Equal(1, (await Run(null, "audit", "--endpoint", vendor.BaseUrl.ToString(), "--model", "deepseek-reasoner", "--claimed", "deepseek-r1", "--max-requests", "12", "--out", html, "--allow-host", "127.0.0.1")).Code);
        Assert.Contains("class=\"verdict tone-mismatch\"", await File.ReadAllTextAsync(html), StringComparison.Ordinal); // the Razor report

        Assert.Equal(3, (await Run(null, "audit", "--endpoint", vendor.BaseUrl.ToString(), "--model", "m", "--claimed", "deepseek-r9")).Code);
        Assert.Equal(3, (await Run(null, "audit", "--endpoint", "not a url", "--model", "m", "--claimed", "deepseek-r1")).Code);
        Assert.Equal(3, (await Run(null, "audit", "--model", "m")).Code);
        Assert.Equal(3, (await Run(null, "migrate")).Code); // no database configured
    }
}
