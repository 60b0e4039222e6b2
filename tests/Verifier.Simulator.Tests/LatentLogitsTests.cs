namespace Verifier.Simulator.Tests;

using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Core.Catalog;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Simulator;

/// <summary>SIMULATION. The fingerprint channel of simulated vendors reproduces the measured rates it cites.</summary>
public class LatentLogitsTests
{
    /// <summary>Share of positions (first token of every prompt) whose greedy token equals the native build's.</summary>
    private static double SameTop(string build, string native, double serving, int seed)
    {
        var random = new Random(seed);
        var same = 0;
        const int prompts = 2000;
        for (var p = 0; p < prompts; p++)
            if (LatentLogits.Generate(build, $"{p}", 1, 1, serving, random)[0].Token == LatentLogits.Generate(native, $"{p}", 1, 1, 1, random)[0].Token) same++;
        return same / (double)prompts;
    }

    [Theory]
    [InlineData("r1-distill-qwen-7b@int8", 0.977)]
    [InlineData("r1-distill-qwen-7b@int4", 0.919)]
    [InlineData("deepseek-r1@gguf-q2_k", 0.711)]
    public void Quantized_builds_keep_the_top_token_at_the_measured_rate(string build, double measured)
    {
        Assert.True(VariantCatalog.Default.TryParseBuild(build, out var v, out _));
        Assert.Equal(measured, QuantizationNoise.Of(build.Split('@')[1], v.NativePrecision).SameTopToken);
        Assert.InRange(SameTop(build, v.Id, 1, 1), measured - 0.03, measured + 0.03);
    }

    [Fact]
    public void Serving_noise_flips_the_top_token_at_the_configured_rate_and_sizes_differ_more()
    {
        Assert.InRange(SameTop("r1-distill-qwen-7b", "r1-distill-qwen-7b", 0.99, 2), 0.97, 1.0);
        Assert.InRange(SameTop("r1-distill-qwen-32b", "r1-distill-qwen-7b", 1, 3), 0.75, 0.85); // lineage assumption: 80%
        Assert.InRange(SameTop("r1-distill-llama-8b", "r1-distill-qwen-7b", 1, 4), 0, 0.1);   // other lineage: independent
    }

    [Theory]
    [InlineData("vllm", 200, true)]
    [InlineData("ollama", 200, false)]
    [InlineData("deepseek-api", 400, false)]
    public async Task Stacks_return_refuse_or_drop_logprobs_as_documented(string dialect, int status, bool logprobs)
    {
        var scenario = new Scenario("lp", "r1-distill-qwen-7b", [new ServedShare("r1-distill-qwen-7b")], new Expectation(true), dialect);
        await using var vendor = await SimulatedVendor.StartAsync(scenario);
        using var http = new HttpClient();
        var path = dialect == "deepseek-api" ? "chat/completions" : "v1/chat/completions";
        var response = await http.PostAsJsonAsync(new Uri(vendor.BaseUrl, path), new
        {
            model = "m", max_tokens = 8, temperature = 0, logprobs = true, top_logprobs = 5,
            messages = new[] { new { role = "user", content = FingerprintProbe.Prompts[0] } },
        });
        Assert.Equal(status, (int)response.StatusCode);
        if (status != 200) return;
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var choice = doc.RootElement.GetProperty("choices")[0];
        var has = choice.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.Object;
        Assert.Equal(logprobs, has);
        if (has) Assert.Equal(5, lp.GetProperty("content")[0].GetProperty("top_logprobs").GetArrayLength());
    }
}
