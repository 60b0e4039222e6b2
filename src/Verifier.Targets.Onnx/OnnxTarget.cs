namespace Verifier.Targets.Onnx;

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Tokenization;
using Verifier.Targets.Http;
using Verifier.Targets.Onnx.Generation;
using Verifier.Targets.Onnx.Runtime;

/// <summary>
/// The local `onnx` target: runs probe requests through the ONNX decoder with the claimed variant's tokenizer and
/// chat template and the recommended sampling (temperature 0.6, top-p 0.95, seeded per probe). Each generation is
/// stored as an exchange whose response body is an OpenAI-style completion, so reports, storage and rescoring treat
/// local and remote audits alike. Requests a local file cannot answer (metadata endpoints) are not delivered.
/// </summary>
public sealed class OnnxTarget : ITargetExecutor
{
    private readonly OnnxDecoder decoder;
    private readonly OnnxTextGenerator generator;
    private readonly int[] stopIds;
    private readonly string path;
    private readonly Variant variant;
    private readonly int maxNewTokens;
    private int sequence;

    private OnnxTarget(OnnxDecoder decoder, OnnxTextGenerator generator, int[] stopIds, string path, Variant variant, int maxNewTokens)
    {
        this.variant = variant;
        this.decoder = decoder;
        this.generator = generator;
        this.stopIds = stopIds;
        this.path = path;
        this.maxNewTokens = maxNewTokens;
    }

    /// <summary>The device generation runs on (<c>auto</c> resolved).</summary>
    public OnnxDevice Device => decoder.Device;

    /// <summary>Why <c>auto</c> fell back to the CPU, when it did (for the caller to show or log).</summary>
    public string? DeviceWarning => decoder.DeviceWarning;

    /// <summary>Opens a model file or folder on <paramref name="device"/> (default: the CPU); the tokenizer and template come from the catalog entry of the claimed build.</summary>
    public static OnnxTarget Open(string modelPath, string claimedBuild, int maxNewTokens = 512, OnnxDevice device = default)
    {
        if (!VariantCatalog.Default.TryParseBuild(claimedBuild, out var variant, out _)) throw new ArgumentException($"'{claimedBuild}' is not a catalogued build.", nameof(claimedBuild));
        var template = ChatTemplates.Parse(variant.ChatTemplate);
        var tokenizer = Tokenizers.GetForTemplate(template);
        var decoder = OnnxDecoder.Open(modelPath, new OnnxSessionSettings(Device: device));
        var stop = new[] { ChatTemplates.Eos, "<|endoftext|>", "<|eot_id|>" }.Select(tokenizer.TokenToId).OfType<int>().ToArray();
        var generator = new OnnxTextGenerator(decoder, m => ChatTemplates.Render(template, m), tokenizer.Encode, tokenizer.Decode);
        return new OnnxTarget(decoder, generator, stop, modelPath, variant, maxNewTokens);
    }

    /// <summary>Runs the plan; its claim must be a build of the variant this target was opened for (whose tokenizer and template it uses).</summary>
    public Task<AuditResult> RunAsync(AuditPlan plan, CancellationToken cancellationToken = default)
    {
        if (!VariantCatalog.Default.TryParseBuild(plan.ClaimedBuild, out var claimed, out _) || claimed.Id != variant.Id)
            throw new ArgumentException($"The plan claims '{plan.ClaimedBuild}' but this model was opened for '{variant.Id}' (another tokenizer and template).", nameof(plan));
        return AuditEngine.RunAsync(plan, ExecuteAsync, null, cancellationToken);
    }

    /// <summary>
    /// What a probe returned, rebuilt from its stored exchanges: one exchange per chat request, in order (a request a
    /// local file cannot answer has none); bodies parsed exactly as live.
    /// </summary>
    public static ProbeExecution Replay(ProbeInstance instance, IReadOnlyList<Exchange> exchanges)
    {
        var ordered = exchanges.OrderBy(e => e.Sequence).ToList();
        var responses = new List<ProbeResponse>();
        var next = 0;
        for (var i = 0; i < instance.Requests.Count && next < ordered.Count; i++)
        {
            if (instance.Requests[i].Kind != ProbeRequestKind.Chat) { responses.Add(NoEndpoint(i)); continue; }
            var e = ordered[next++];
            responses.Add(e.Outcome == ExchangeOutcome.Ok ? Delivered(i, e.Sequence, e.ResponseBody, null) : Failed(i, e.Sequence, e.Error));
        }
        return new ProbeExecution(responses, ordered);
    }

    private static ProbeResponse NoEndpoint(int index) => new(index, false, null, null, null, null, Failure: "a local model has no serving endpoints");

    private static ProbeResponse Delivered(int index, int sequence, byte[] body, double? tokensPerSecond) =>
        new(index, true, 200, ReplyParser.ParseCompletion(body, sequence), Encoding.UTF8.GetString(body), sequence, null, tokensPerSecond);

    private static ProbeResponse Failed(int index, int sequence, string? error) => new(index, false, null, null, null, sequence, Failure: error);

    public Task<ProbeExecution> ExecuteAsync(ProbeInstance instance, CancellationToken cancellationToken) =>
        Task.Run(() => Execute(instance, cancellationToken), cancellationToken);

    private ProbeExecution Execute(ProbeInstance instance, CancellationToken ct)
    {
        var responses = new List<ProbeResponse>();
        var exchanges = new List<Exchange>();
        for (var i = 0; i < instance.Requests.Count; i++)
        {
            var request = instance.Requests[i];
            if (request.Kind != ProbeRequestKind.Chat)
            {
                responses.Add(NoEndpoint(i));
                continue;
            }
            var tokens = Math.Min(maxNewTokens, request.MaxTokens > 0 ? request.MaxTokens : maxNewTokens);
            var settings = request.Temperature is null or 0
                ? GenerationSettings.Greedy(tokens, stopIds)
                : GenerationSettings.R1Recommended(tokens, unchecked(instance.Seed * 31 + i), stopIds);
            var body = JsonSerializer.SerializeToUtf8Bytes(new { messages = request.Messages.Select(m => new { role = m.Role, content = m.Content }), max_tokens = tokens, temperature = request.Temperature, seed = settings.Seed });
            var started = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            var seq = Interlocked.Increment(ref sequence);
            try
            {
                var completion = generator.Complete(request.Messages, settings, request.TopLogprobs ?? 0, ct);
                // The same shape an OpenAI-compatible server returns, logprobs included, so replay and rescoring parse it alike.
                var logprobs = completion.Logprobs is { } lp
                    ? new { content = lp.Select(t => new { token = t.Token, logprob = t.Logprob, top_logprobs = t.Top.Select(x => new { token = x.Token, logprob = x.Logprob }) }) }
                    : null;
                var responseJson = JsonSerializer.Serialize(new
                {
                    id = $"local-{seq}", @object = "chat.completion", model = Path.GetFileName(path),
                    choices = new[] { new { index = 0, finish_reason = completion.FinishReason, message = new { role = "assistant", content = completion.Text }, logprobs } },
                    usage = new { prompt_tokens = completion.PromptTokens, completion_tokens = completion.CompletionTokens, total_tokens = completion.PromptTokens + completion.CompletionTokens },
                });
                var usage = new TokenUsage(completion.PromptTokens, completion.CompletionTokens);
                exchanges.Add(new Exchange(seq, instance.ProbeId, "LOCAL", "onnx://" + path, new Dictionary<string, string>(), body, 200,
                    new Dictionary<string, string>(), Encoding.UTF8.GetBytes(responseJson), ExchangeOutcome.Ok, null, started, watch.Elapsed, null, usage, 1));
                responses.Add(Delivered(i, seq, exchanges[^1].ResponseBody, completion.CompletionTokens / Math.Max(1e-3, watch.Elapsed.TotalSeconds)));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                exchanges.Add(new Exchange(seq, instance.ProbeId, "LOCAL", "onnx://" + path, new Dictionary<string, string>(), body, null,
                    new Dictionary<string, string>(), [], ExchangeOutcome.Malformed, e.Message, started, watch.Elapsed, null, null, 1));
                responses.Add(Failed(i, seq, e.Message));
            }
        }
        return new ProbeExecution(responses, exchanges);
    }

    public void Dispose() => decoder.Dispose();
}
