namespace Verifier.Simulator;

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Verifier.Core.Chat;
using Verifier.Core.Probes.Fingerprint;

/// <summary>
/// SIMULATION. An OpenAI-compatible server on 127.0.0.1 behaving as a scenario says: who really answers (a mixture,
/// switching over time), what it claims, its serving stack's shapes and errors, faults, and timing. Nothing in its
/// responses says it is simulated (that would tip off the verifier); the CLI, logs and reports say so instead.
/// </summary>
public sealed class SimulatedVendor : IAsyncDisposable
{
    private static readonly string[] ThinkingCapabilities = ["completion", "thinking"];

    private readonly WebApplication app;
    private readonly Scenario scenario;
    private readonly DateTimeOffset started = DateTimeOffset.UtcNow;
    private readonly Random random;
    private readonly Dictionary<string, ServedModel> models = new(StringComparer.Ordinal);
    private int requests;
    private readonly Dictionary<string, int[]> lastPrompt = new(StringComparer.Ordinal);

    public Uri BaseUrl { get; private set; } = null!;
    public int Requests => Volatile.Read(ref requests);

    /// <summary>Which model answered each chat request, in order (for tests).</summary>
    public List<string> Served { get; } = [];

    private SimulatedVendor(WebApplication app, Scenario scenario)
    {
        this.app = app;
        this.scenario = scenario;
        random = new Random(scenario.Seed);
        foreach (var share in scenario.Truth.Concat(scenario.Switch?.Truth ?? []))
            models.TryAdd(share.Variant, ServedModel.Resolve(share.Variant, scenario.Behaviour?.GetValueOrDefault(share.Variant) ?? scenario.Behaviour?.GetValueOrDefault("*")));
    }

    public static async Task<SimulatedVendor> StartAsync(Scenario scenario, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var vendor = new SimulatedVendor(app, scenario);
        vendor.Map();
        await app.StartAsync();
        vendor.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return vendor;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private Claims Claims => scenario.Claims ?? new Claims();

    private long Created => started.ToUnixTimeSeconds();

    private void Map()
    {
        app.Use(async (ctx, next) =>
        {
            foreach (var (k, v) in Claims.Headers ?? new Dictionary<string, string>()) ctx.Response.Headers[k] = v;
            await next(ctx);
        });
        app.MapGet("/v1/models", () => Results.Json(DialectShapes.Models(scenario.Dialect, Claims, Current(), Created)));
        if (scenario.Dialect == "deepseek-api") app.MapGet("/models", () => Results.Json(DialectShapes.Models(scenario.Dialect, Claims, Current(), Created)));
        if (scenario.Dialect == "vllm") app.MapGet("/version", () => Results.Json(new { version = "0.8.5" }));
        if (scenario.Dialect == "sglang")
            app.MapGet("/get_model_info", () => Results.Json(new { model_path = Claims.Root ?? Current().HuggingFace, tokenizer_path = Claims.Root ?? Current().HuggingFace, is_generation = true }));
        if (scenario.Dialect == "llamacpp")
            app.MapGet("/props", () => Results.Json(new { model_path = Claims.Root ?? Current().HuggingFace + ".gguf", default_generation_settings = new { n_ctx = Claims.MaxModelLen ?? Current().ContextWindow }, total_slots = 1 }));
        if (scenario.Dialect == "ollama")
        {
            app.MapGet("/api/tags", () => Results.Json(new { models = new[] { new { name = Claims.Model, model = Claims.Model, details = new { format = "gguf", family = Current().Family, parameter_size = "?" } } } }));
            app.MapPost("/api/show", () => Results.Json(new { details = new { format = "gguf", family = Current().Family }, capabilities = Current().Reasons ? ThinkingCapabilities : ["completion"] }));
        }
        app.MapPost("/v1/chat/completions", Chat);
        if (scenario.Dialect == "deepseek-api") app.MapPost("/chat/completions", Chat);
    }

    /// <summary>The model of the current phase (before or after the switch) most likely to answer; for metadata endpoints.</summary>
    private ServedModel Current() => models[Phase(Requests).OrderByDescending(s => s.Weight).First().Variant];

    /// <summary>What is served after <paramref name="previous"/> chat requests have been answered.</summary>
    private IReadOnlyList<ServedShare> Phase(int previous)
    {
        if (scenario.Switch is not { } sw) return scenario.Truth;
        var switched = sw.AfterRequests is { } n ? previous >= n : (DateTimeOffset.UtcNow - started).TotalSeconds >= sw.AfterSeconds;
        return switched ? sw.Truth : scenario.Truth;
    }

    private async Task Chat(HttpContext ctx)
    {
        var index = Interlocked.Increment(ref requests);
        Random r;
        lock (random) r = new Random(random.Next());
        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            body = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            await Error(ctx, 400, """{"error":{"message":"Invalid JSON body","type":"invalid_request_error"}}""");
            return;
        }
        var faults = scenario.Faults ?? new Faults();
        var roll = r.NextDouble();
        if ((roll -= faults.Rate429) < 0) { ctx.Response.Headers.RetryAfter = "0"; await Error(ctx, 429, """{"error":{"message":"Rate limit reached","type":"rate_limit_error"}}"""); return; }
        if ((roll -= faults.Rate500) < 0) { await Error(ctx, 500, """{"error":{"message":"Internal server error","type":"server_error"}}"""); return; }
        if ((roll -= faults.TimeoutRate) < 0) { await Task.Delay(TimeSpan.FromSeconds(faults.TimeoutSeconds), ctx.RequestAborted).ContinueWith(_ => { }); return; }
        var truncated = (roll -= faults.TruncatedRate) < 0;
        var malformed = !truncated && (roll -= faults.MalformedRate) < 0;

        var messages = body.GetProperty("messages").EnumerateArray().Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString() ?? "")).ToList();
        if (scenario.HiddenSystemPrompt is { } hidden) messages.Insert(0, ChatMessage.System(hidden));
        var maxTokens = body.TryGetProperty("max_tokens", out var mt) && mt.TryGetInt32(out var m) ? m : 4096;
        var stream = body.TryGetProperty("stream", out var st) && st.ValueKind == JsonValueKind.True;
        var includeUsage = stream && body.TryGetProperty("stream_options", out var so) && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;

        var share = Pick(Phase(index - 1), r);
        var model = models[share];
        lock (Served) Served.Add(share);
        var behaviour = scenario.Behaviour?.GetValueOrDefault(share) ?? scenario.Behaviour?.GetValueOrDefault("*");
        var wantsLogprobs = body.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True;
        var fingerprint = FingerprintProbe.IndexOf(messages.LastOrDefault(x => x.Role == "user")?.Content ?? "");
        IReadOnlyList<TokenLogprob>? latent = null;
        SimulatedReply reply;
        if (fingerprint >= 0)
        {
            if (wantsLogprobs && !scenario.ReturnsLogprobs && scenario.Dialect == "deepseek-api")
            {
                await Error(ctx, 400, """{"error":{"message":"logprobs is not supported for this model","type":"invalid_request_error"}}""");
                return;
            }
            // A hidden system prompt is a different context: the weights answer it differently (SIMULATION).
            var context = scenario.HiddenSystemPrompt is null ? $"{fingerprint}" : $"{fingerprint}|{scenario.HiddenSystemPrompt}";
            var requestedK = body.TryGetProperty("top_logprobs", out var k) && k.TryGetInt32(out var kk) ? kk : 0;
            latent = LatentLogits.Generate(share, context, Math.Clamp(maxTokens, 1, 64), Math.Min(requestedK, scenario.Logprobs?.TopK ?? 20),
                scenario.Logprobs?.ServingSameTopToken ?? LatentLogits.DefaultServingSameTopToken, r);
            var text = string.Concat(latent.Select(t => t.Token));
            reply = new SimulatedReply(model.Reasons ? text : "", model.Reasons ? "" : text, "length", model.EncodePrompt(messages).Length, latent.Count, false);
        }
        else reply = SimulatedModel.Answer(model, messages, maxTokens, behaviour?.EmptyThinkRate ?? (model.Reasons ? 0.02 : 0), behaviour?.Noise ?? 0, r);
        if (reply.ContextExceeded)
        {
            var (status, error) = DialectShapes.ContextError(scenario.Dialect, model.ContextWindow, reply.PromptTokens, maxTokens);
            await Error(ctx, status, error);
            return;
        }
        var style = scenario.ReasoningStyle ?? DialectShapes.DefaultStyle(scenario.Dialect, model);
        if (!model.Reasons) style = "none";
        var (content, reasoning) = DialectShapes.Split(style, reply);
        if (scenario.PromptCache) reply = reply with { PromptTokens = UncachedPromptTokens(share, model.EncodePrompt(messages)) };
        var usage = scenario.Usage ? DialectShapes.Usage(scenario.Dialect, reply, model.CountText(reply.Reasoning)) : null;
        await Delay(scenario.Performance?.TtftMs, r, ctx.RequestAborted);
        var id = $"chatcmpl-{index}";

        if (!stream)
        {
            var logprobs = wantsLogprobs && scenario.ReturnsLogprobs && latent is not null ? DialectShapes.Logprobs(latent) : null;
            var json = JsonSerializer.Serialize(DialectShapes.Completion(id, Created, Claims.Model, content, reasoning, reply.FinishReason, usage, Claims.SystemFingerprint, logprobs));
            if (malformed) json = json[..(json.Length / 2)] + "}{";
            if (truncated) json = json[..(json.Length / 2)];
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(json);
            return;
        }

        ctx.Response.ContentType = "text/event-stream";
        var chunks = new List<object>();
        if (reasoning is { Length: > 0 }) chunks.AddRange(Pieces(reasoning).Select(p => Delta(id, new Dictionary<string, object?> { ["reasoning_content"] = p }, null)));
        chunks.AddRange(Pieces(content).Select(p => Delta(id, new Dictionary<string, object?> { ["content"] = p }, null)));
        chunks.Add(Delta(id, new Dictionary<string, object?>(), reply.FinishReason));
        if (includeUsage && usage is not null) chunks.Add(new { id, @object = "chat.completion.chunk", created = Created, model = Claims.Model, choices = Array.Empty<object>(), usage });
        var tokensPerSecond = scenario.Performance?.TokensPerSecond;
        for (var i = 0; i < chunks.Count; i++)
        {
            if (truncated && i == chunks.Count / 2) { await ctx.Response.WriteAsync("data: {\"id\":\"" + id + "\",\"choi"); return; }
            var line = JsonSerializer.Serialize(chunks[i]);
            if (malformed && i == chunks.Count / 2) line = line[..(line.Length / 2)];
            await ctx.Response.WriteAsync($"data: {line}\n\n");
            await ctx.Response.Body.FlushAsync();
            if (tokensPerSecond is { Mean: > 0 } tps) await Task.Delay(TimeSpan.FromSeconds(4 / Math.Max(1, Sample(tps, r))), ctx.RequestAborted);
        }
        await ctx.Response.WriteAsync("data: [DONE]\n\n");
    }

    /// <summary>
    /// What servers that count only the prompt tokens they had to evaluate report (Ollama before 0.30, some llama.cpp
    /// builds): the prompt minus its longest common token prefix with the previous prompt of the same model.
    /// </summary>
    private int UncachedPromptTokens(string model, int[] ids)
    {
        lock (lastPrompt)
        {
            var previous = lastPrompt.GetValueOrDefault(model, []);
            var common = 0;
            while (common < ids.Length && common < previous.Length && ids[common] == previous[common]) common++;
            lastPrompt[model] = ids;
            return ids.Length - common;
        }
    }

    private object Delta(string id, Dictionary<string, object?> delta, string? finish) =>
        new { id, @object = "chat.completion.chunk", created = Created, model = Claims.Model, choices = new[] { new { index = 0, delta, finish_reason = finish } } };

    private static IEnumerable<string> Pieces(string text)
    {
        for (var i = 0; i < text.Length; i += 24) yield return text.Substring(i, Math.Min(24, text.Length - i));
    }

    private static string Pick(IReadOnlyList<ServedShare> shares, Random r)
    {
        var x = r.NextDouble() * shares.Sum(s => s.Weight);
        foreach (var s in shares) if ((x -= s.Weight) < 0) return s.Variant;
        return shares[^1].Variant;
    }

    private static double Sample(Distribution d, Random r) =>
        d.Mean + d.Sd * Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static Task Delay(Distribution? d, Random r, CancellationToken ct) =>
        d is { Mean: > 0 } ? Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, Sample(d, r))), ct) : Task.CompletedTask;

    private static async Task Error(HttpContext ctx, int status, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body, Encoding.UTF8);
    }
}
