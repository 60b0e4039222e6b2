namespace Verifier.Simulator.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Generators;
using Verifier.Simulator;
using Verifier.Targets.Http;

public class SimulatedVendorTests
{
    private static Scenario Make(string variant = "r1-distill-qwen-7b", string dialect = "vllm", Faults? faults = null, IReadOnlyList<ServedShare>? truth = null, TruthSwitch? sw = null, bool usage = true, int seed = 1) =>
        new("test", "deepseek-r1", truth ?? [new ServedShare(variant)], new Expectation(false, variant), dialect, seed, Switch: sw, Faults: faults, Usage: usage);

    private static async Task<HttpResponseMessage> Chat(HttpClient http, Uri baseUrl, string content, bool stream = false, int maxTokens = 4096) =>
        await http.PostAsync(new Uri(baseUrl, "v1/chat/completions"), new StringContent(JsonSerializer.Serialize(new
        {
            model = "deepseek-r1", stream, max_tokens = maxTokens, stream_options = stream ? new { include_usage = true } : null,
            messages = new[] { new { role = "user", content } },
        }), Encoding.UTF8, "application/json"));

    [Theory]
    [InlineData("vllm", ReasoningStyle.ClosingTagOnly)]
    [InlineData("deepseek-api", ReasoningStyle.ReasoningField)]
    [InlineData("sglang", ReasoningStyle.ReasoningField)]
    [InlineData("llamacpp", ReasoningStyle.ReasoningField)]
    [InlineData("ollama", ReasoningStyle.ThinkTags)]
    public async Task Each_dialect_answers_in_its_shape_and_usage_is_the_real_token_count(string dialect, ReasoningStyle style)
    {
        await using var vendor = await SimulatedVendor.StartAsync(Make(dialect: dialect));
        var client = new TargetClient(new SocketsHttpHandler(), new TargetEndpoint(vendor.BaseUrl, "deepseek-r1", Dialects.Parse(dialect)));
        var instance = new ArithmeticGenerator().Generate(3, "t1", 4096);
        var execution = await client.ExecuteAsync(instance, CancellationToken.None);
        var reply = execution.Responses[0].Reply!;
        Assert.Equal(style, reply.ReasoningStyle);
        var prompt = ChatTemplates.CountPromptTokens(ChatTemplateId.DistillQwen, instance.Requests[0].Messages);
        Assert.Equal(prompt, reply.Usage!.PromptTokens);
        var models = await new HttpClient().GetFromJsonAsync<JsonElement>(new Uri(vendor.BaseUrl, "v1/models"));
        Assert.Equal("deepseek-r1", models.GetProperty("data")[0].GetProperty("id").GetString());
        if (dialect == "vllm") Assert.Equal("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", models.GetProperty("data")[0].GetProperty("root").GetString()); // vLLM leaks the real checkpoint
    }

    [Fact]
    public async Task Streams_are_well_formed_server_sent_events_ending_with_done()
    {
        await using var vendor = await SimulatedVendor.StartAsync(Make(dialect: "deepseek-api"));
        var body = await (await Chat(new HttpClient(), vendor.BaseUrl, "Compute 1234 × 567 − 89.", stream: true)).Content.ReadAsStringAsync();
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1].Trim());
        foreach (var e in events[..^1]) JsonDocument.Parse(e["data: ".Length..]);
        Assert.Contains("\"usage\"", events[^2], StringComparison.Ordinal);
        Assert.Contains("reasoning_content", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Faults_occur_at_their_configured_rates()
    {
        var faults = new Faults(Rate429: 0.2, Rate500: 0.1, MalformedRate: 0.1);
        await using var vendor = await SimulatedVendor.StartAsync(Make(faults: faults, seed: 11));
        var http = new HttpClient();
        int n = 400, tooMany = 0, errors = 0, malformed = 0;
        for (var i = 0; i < n; i++)
        {
            var r = await Chat(http, vendor.BaseUrl, "Quick check: what is 12 + 30? Answer within \\boxed{}.", maxTokens: 256);
            if (r.StatusCode == HttpStatusCode.TooManyRequests) { tooMany++; continue; }
            if (r.StatusCode == HttpStatusCode.InternalServerError) { errors++; continue; }
            try { JsonDocument.Parse(await r.Content.ReadAsStringAsync()); } catch (JsonException) { malformed++; }
        }
        // Binomial(400, p): 4 standard deviations either side.
        Assert.InRange(tooMany, 80 - 32, 80 + 32);
        Assert.InRange(errors, 40 - 24, 40 + 24);
        Assert.InRange(malformed, 40 - 24, 40 + 24);
    }

    [Fact]
    public async Task Mixture_weights_and_the_switch_are_respected()
    {
        await using (var mixed = await SimulatedVendor.StartAsync(Make(truth: [new ServedShare("deepseek-r1", 0.8), new ServedShare("r1-distill-qwen-7b", 0.2)], seed: 5)))
        {
            var http = new HttpClient();
            for (var i = 0; i < 500; i++) await Chat(http, mixed.BaseUrl, "Say OK.", maxTokens: 64);
            var share = mixed.Served.Count(s => s == "r1-distill-qwen-7b") / 500.0;
            Assert.InRange(share, 0.2 - 4 * 0.018, 0.2 + 4 * 0.018);
        }
        await using var switching = await SimulatedVendor.StartAsync(Make(truth: [new ServedShare("deepseek-r1")], sw: new TruthSwitch(5, null, [new ServedShare("r1-distill-llama-8b")])));
        var client = new HttpClient();
        for (var i = 0; i < 10; i++) await Chat(client, switching.BaseUrl, "Say OK.", maxTokens: 64);
        Assert.Equal(Enumerable.Repeat("deepseek-r1", 5).Concat(Enumerable.Repeat("r1-distill-llama-8b", 5)), switching.Served);
    }

    [Fact]
    public async Task Correct_answers_follow_the_served_models_pass_rate()
    {
        var scenario = Make() with { Behaviour = new Dictionary<string, Behaviour> { ["*"] = new(PassRates: new Dictionary<string, IReadOnlyDictionary<string, double>> { ["reasoning"] = new Dictionary<string, double> { ["t2"] = 0.3 } }) } };
        await using var vendor = await SimulatedVendor.StartAsync(scenario);
        var client = new TargetClient(new SocketsHttpHandler(), new TargetEndpoint(vendor.BaseUrl, "deepseek-r1", TargetDialect.Vllm));
        var generator = new ModPowGenerator();
        var passes = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var instance = generator.Generate(seed, "t2", 16384);
            if (generator.Score(instance, await client.ExecuteAsync(instance, CancellationToken.None)).OutcomeKey == "pass") passes++;
        }
        Assert.InRange(passes / 300.0, 0.3 - 4 * 0.027, 0.3 + 4 * 0.027);
    }

    [Theory]
    [InlineData("vllm", "maximum context length is 32768 tokens")]
    [InlineData("llamacpp", "exceed_context_size_error")]
    public async Task Prompts_over_the_window_get_the_stacks_own_error(string dialect, string text)
    {
        var scenario = Make(dialect: dialect) with { Behaviour = new Dictionary<string, Behaviour> { ["*"] = new(ContextWindow: 32768) } };
        await using var vendor = await SimulatedVendor.StartAsync(scenario);
        var response = await Chat(new HttpClient(), vendor.BaseUrl, string.Concat(Enumerable.Repeat("word ", 40_000)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(text, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hidden_usage_reports_none()
    {
        await using var vendor = await SimulatedVendor.StartAsync(Make(usage: false));
        var json = await (await Chat(new HttpClient(), vendor.BaseUrl, "Say OK.")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, json.GetProperty("usage").ValueKind);
    }

    [Theory]
    [InlineData("\"dialect\": \"vllm\"", "\"dialect\": \"tgi\"", "dialect")]
    [InlineData("\"variant\": \"r1-distill-qwen-7b\"", "\"variant\": \"gpt-5\"", "truth[0].variant")]
    [InlineData("\"claimedVariant\": \"deepseek-r1\"", "\"claimedVariant\": \"r2\"", "claimedVariant")]
    [InlineData("\"seed\": 1", "\"seed\": \"x\"", "seed")]
    [InlineData("\"seed\": 1", "\"seed\": 1, \"faults\": { \"rate429\": 1.5 }", "faults.rate429")]
    [InlineData("\"seed\": 1", "\"seed\": 1, \"bogus\": true", "bogus")]
    public void Bad_scenarios_name_the_field(string from, string to, string field)
    {
        const string good = """{ "name": "x", "claimedVariant": "deepseek-r1", "dialect": "vllm", "seed": 1, "truth": [{ "variant": "r1-distill-qwen-7b" }], "expect": { "honest": false } }""";
        Scenario.Parse(good);
        var e = Assert.Throws<InvalidDataException>(() => Scenario.Parse(good.Replace(from, to, StringComparison.Ordinal)));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_shipped_scenario_is_valid()
    {
        var folder = Path.Combine(Verifier.Core.Catalog.ProbeFiles.Root, "scenarios");
        var files = Directory.GetFiles(folder, "*.json").Where(f => !f.EndsWith(".schema.json", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count >= 25);
        foreach (var f in files) Scenario.Load(f);
    }
}
