namespace Verifier.Targets.Http;

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using Polly;
using Refit;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;

/// <summary>
/// Client of one OpenAI-compatible target over its Refit API (<see cref="ITargetApi"/>). Every attempt is one
/// <see cref="Exchange"/> (bytes as sent and received, Authorization redacted). Faults (429 with Retry-After, 5xx,
/// timeouts, refused connections, malformed JSON, truncated streams) are retried by <see cref="AttemptRetry"/>, then
/// returned as a failed response — no exception leaves this class except cancellation by the caller. What a vendor
/// sends is capped while it is read (<see cref="ClientOptions"/>), every attempt ends by the audit's wall-time
/// deadline, and reported usage is stored as its plausible part (<see cref="UsagePlausibility"/>).
/// </summary>
public sealed class TargetClient
{
    private const string WallTimeReached = "audit wall-time budget reached";
    private const string ChatPath = "/v1/chat/completions"; // as in ITargetApi: named before the request is built

    private readonly ITargetApi api;
    private readonly TargetEndpoint endpoint;
    private readonly ClientOptions options;
    private readonly TimeProvider time;
    private readonly ExchangeLog log;
    private readonly AttemptBudget budget;
    private readonly ResiliencePipeline<AttemptResult> pipeline;

    /// <param name="handler">Shared by every client (connections are pooled there); see <see cref="TargetHttp.CreateHandler"/>.</param>
    public TargetClient(HttpMessageHandler handler, TargetEndpoint endpoint, ClientOptions? options = null, ExchangeLog? log = null, AttemptBudget? budget = null, TimeProvider? time = null)
    {
        api = TargetApi.Create(handler, endpoint);
        this.endpoint = endpoint;
        this.options = options ?? new ClientOptions();
        this.time = time ?? TimeProvider.System;
        this.log = log ?? new ExchangeLog();
        this.budget = budget ?? AttemptBudget.Unlimited;
        pipeline = AttemptRetry.Build(this.options, this.budget, this.time);
    }

    public ExchangeLog Log => log;
    public TargetEndpoint Endpoint => endpoint;

    /// <summary>Runs every request of a probe instance (the engine's execute delegate).</summary>
    public async Task<ProbeExecution> ExecuteAsync(ProbeInstance instance, CancellationToken cancellationToken)
    {
        var responses = new List<ProbeResponse>();
        var exchanges = new List<Exchange>();
        for (var i = 0; i < instance.Requests.Count; i++)
        {
            var call = await SendAsync(instance.ProbeId, instance.Requests[i], cancellationToken).ConfigureAwait(false);
            responses.Add(call.Response with { RequestIndex = i });
            exchanges.AddRange(call.Exchanges);
        }
        return new ProbeExecution(responses, exchanges);
    }

    public Task<TargetCall> SendAsync(string probeId, ProbeRequest request, CancellationToken cancellationToken)
    {
        var path = request.Path ?? "/";
        return request.Kind switch
        {
            ProbeRequestKind.Chat => ChatAsync(probeId, request, cancellationToken),
            ProbeRequestKind.Get => RunAsync(new Call(probeId, HttpMethod.Get, path, false, false,
                (wire, ct) => path == "/v1/models" ? api.ListModels(wire, ct) : api.GetPath(path.TrimStart('/'), wire, ct)), cancellationToken),
            _ => RunAsync(new Call(probeId, HttpMethod.Post, path, false, false,
                (wire, ct) => api.PostJson(path.TrimStart('/'), Json(request.JsonBody ?? "{}"), wire, ct)), cancellationToken),
        };
    }

    public Task<TargetCall> ChatAsync(string probeId, ProbeRequest request, CancellationToken cancellationToken)
    {
        var body = ChatCompletionRequest.For(endpoint, request);
        return RunAsync(new Call(probeId, HttpMethod.Post, ChatPath, request.Stream, true,
            (wire, ct) => request.Stream ? api.StreamChatCompletion(body, wire, ct) : api.ChatCompletion(body, wire, ct)), cancellationToken);
    }

    private async Task<TargetCall> RunAsync(Call call, CancellationToken cancellationToken)
    {
        var exchanges = new List<Exchange>();
        var attemptNo = 0;
        AttemptResult last;
        // The audit's wall-time deadline cuts attempts in flight and backoff delays alike.
        using var wall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (UntilDeadline() is { } left) wall.CancelAfter(left);
        try
        {
            last = await pipeline.ExecuteAsync(async ct =>
            {
                attemptNo++;
                if (!budget.TryTake()) return AttemptResult.OutOfBudget; // a retry counts against the budget too
                var a = await AttemptAsync(call, attemptNo, ct, cancellationToken).ConfigureAwait(false);
                exchanges.Add(a.Exchange!);
                log.Add(a.Exchange!);
                return a;
            }, wall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
        catch (OperationCanceledException) { last = AttemptResult.Failed(WallTimeReached) with { Exchange = exchanges.LastOrDefault() }; }
        catch (Exception e) // never escape: the pipeline itself failing is a failed observation too
        {
            last = AttemptResult.Failed($"client error: {e.GetType().Name}");
        }
        // A timer may fire a hair before the deadline; waiting the hair out lets the engine see the budget spent, so it
        // does not start a next request only to have it cut a millisecond later.
        for (var i = 0; i < 3 && wall.IsCancellationRequested && UntilDeadline() is { } hair && hair > TimeSpan.Zero && hair < TimeSpan.FromMilliseconds(100); i++)
            await Task.Delay(hair + TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);

        var ex = last.Exchange;
        var response = new ProbeResponse(0, last.Delivered, ex?.StatusCode, last.Reply,
            ex is null ? null : Encoding.UTF8.GetString(ex.ResponseBody), ex?.Sequence, ex?.TimeToFirstToken, last.TokensPerSecond,
            last.Delivered ? null : last.Failure ?? ex?.Error ?? ex?.Outcome.ToString());
        return new TargetCall(response, exchanges);
    }

    private async Task<AttemptResult> AttemptAsync(Call call, int attempt, CancellationToken cancellationToken, CancellationToken caller)
    {
        var sequence = log.NextSequence();
        var startedAt = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var wire = new WireRecord(call.Method, endpoint.Resolve(call.Path));

        // One timeout covers waiting for a slot, headers and the whole body / stream, and never runs past the audit's deadline.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Which limit the timeout was set from decides how a cut is named: a timer can fire a hair before the clock says
        // the deadline has passed, so "budget.Expired" alone would misname a cut at the deadline.
        var untilDeadline = UntilDeadline();
        var deadlineFirst = untilDeadline < options.AttemptTimeout;
        timeout.CancelAfter(deadlineFirst ? untilDeadline!.Value : options.AttemptTimeout);
        var received = new MemoryStream();
        int? status = null;
        IReadOnlyDictionary<string, string> responseHeaders = new Dictionary<string, string>();
        TimeSpan? ttft = null;
        Exchange Make(ExchangeOutcome outcome, string? error, TokenUsage? usage) =>
            new(sequence, call.ProbeId, wire.Method.Method, wire.Url.ToString(), wire.Headers, wire.Body, status, responseHeaders, received.ToArray(),
                outcome, error, startedAt, clock.Elapsed, ttft, usage, attempt);
        // Usage is checked against what was sent and returned: the exchange keeps the plausible counts (what the budget is
        // charged), an anomaly note when the vendor's differ; the vendor's own numbers stay in the raw body and the reply.
        UsagePlausibility.Assessment Assess(ChatReply? reply) =>
            UsagePlausibility.Assess(reply?.Usage, wire.Body.Length, reply is null ? 0 : Characters(reply));

        var gate = HostGates.For(endpoint.BaseUrl, options.MaxConcurrentPerHost);
        var entered = false;
        try
        {
            await gate.WaitAsync(timeout.Token).ConfigureAwait(false);
            entered = true;
            using var response = await SendUnwrappedAsync(call, wire, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            responseHeaders = WireTap.Headers(response.Headers, response.Content.Headers);
            var retryAfter = AttemptRetry.RetryAfter(response, time);
            await using var bodyStream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);

            if (!response.IsSuccessStatusCode)
            {
                if (await ReadCappedAsync(bodyStream, received, timeout.Token).ConfigureAwait(false)) return Oversized(Make);
                var retryable = status is { } code && AttemptResult.IsRetryable(code);
                return new AttemptResult(Make(ExchangeOutcome.HttpError, $"HTTP {status}", null), null, Delivered: !retryable, Retryable: retryable, retryAfter);
            }

            if (call.Stream && IsEventStream(response))
                return await ReadStreamAsync(bodyStream, received, sequence, clock, t => ttft = t, Make, Assess, timeout.Token).ConfigureAwait(false);

            if (await ReadCappedAsync(bodyStream, received, timeout.Token).ConfigureAwait(false)) return Oversized(Make);
            if (call.Chat)
            {
                var reply = ReplyParser.ParseCompletion(received.ToArray(), sequence);
                if (reply is null) return new AttemptResult(Make(ExchangeOutcome.Malformed, "response is not a chat completion", null), null, false, true, null);
                if (Characters(reply) > options.MaxReplyCharacters) return Oversized(Make, $"reply exceeded {options.MaxReplyCharacters} characters");
                var usage = Assess(reply);
                return new AttemptResult(Make(ExchangeOutcome.Ok, usage.Anomaly, usage.Charged), reply, true, false, null);
            }
            if (!IsJson(received.ToArray())) return new AttemptResult(Make(ExchangeOutcome.Malformed, "response is not JSON", null), null, false, true, null);
            return new AttemptResult(Make(ExchangeOutcome.Ok, null, null), null, true, false, null);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            var why = cancellationToken.IsCancellationRequested || deadlineFirst || budget.Expired
                ? $"{WallTimeReached} after {Seconds(clock.Elapsed)} s in this attempt"
                : $"no complete response within {Seconds(options.AttemptTimeout)} s";
            return new AttemptResult(Make(ExchangeOutcome.Timeout, why, null), null, false, true, null);
        }
        catch (HttpRequestException e) when (Inner<OutboundRefusedException>(e) is { } refused)
        {
            return new AttemptResult(Make(ExchangeOutcome.Refused, refused.Message, null), null, false, false, null);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            return Oversized(Make, "response headers exceeded the configured limit");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } || e.HttpRequestError == HttpRequestError.ConnectionError && status is null)
        {
            return new AttemptResult(Make(ExchangeOutcome.Refused, "connection refused", null), null, false, true, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // A body cut off mid-way is a truncation; anything before a status line is a network error. The message is
            // a type name only: exception texts can carry URLs with credentials.
            var outcome = status is null ? ExchangeOutcome.NetworkError : ExchangeOutcome.Truncated;
            return new AttemptResult(Make(outcome, $"{outcome}: {e.GetType().Name}", null), null, false, true, null);
        }
        finally
        {
            if (entered) gate.Release();
        }
    }

    /// <summary>Refit wraps transport failures in ApiRequestException; the handlers above tell them apart by the original.</summary>
    private static async Task<HttpResponseMessage> SendUnwrappedAsync(Call call, WireRecord wire, CancellationToken ct)
    {
        try { return await call.Send(wire, ct).ConfigureAwait(false); }
        catch (ApiRequestException e) when (e.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    /// <summary>Copies the body up to <see cref="ClientOptions.MaxResponseBytes"/>; true when the vendor sent more (the rest is never read).</summary>
    private async Task<bool> ReadCappedAsync(Stream body, MemoryStream received, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            if (!Keep(received, buffer, n)) return true;
        return false;
    }

    /// <summary>Appends what fits under the byte cap; false when the chunk did not fit.</summary>
    private bool Keep(MemoryStream received, byte[] buffer, int n)
    {
        var room = options.MaxResponseBytes - (int)received.Length;
        received.Write(buffer, 0, Math.Min(n, room));
        return n <= room;
    }

    /// <summary>An over-cap response: not delivered, not retried (the vendor would send it again), stored body truncated to the cap.</summary>
    private AttemptResult Oversized(Func<ExchangeOutcome, string?, TokenUsage?, Exchange> make, string? why = null) =>
        new(make(ExchangeOutcome.Oversized, why ?? $"response exceeded {options.MaxResponseBytes} bytes", null), null, false, false, null);

    private static int Characters(ChatReply reply) => reply.Content.Length + (reply.Reasoning?.Length ?? 0);

    private async Task<AttemptResult> ReadStreamAsync(Stream body, MemoryStream received, int sequence, Stopwatch clock, Action<TimeSpan> firstToken,
        Func<ExchangeOutcome, string?, TokenUsage?, Exchange> make, Func<ChatReply?, UsagePlausibility.Assessment> assess, CancellationToken ct)
    {
        var acc = new ReplyParser.StreamAccumulator();
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[8192];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        TimeSpan? first = null, lastToken = null;
        try
        {
            int n;
            while ((n = await body.ReadAsync(bytes, ct).ConfigureAwait(false)) > 0)
            {
                if (!Keep(received, bytes, n)) return Oversized(make);
                var c = decoder.GetChars(bytes, 0, n, chars, 0);
                var before = acc.Deltas;
                if (acc.Feed(new string(chars, 0, c))) { first = clock.Elapsed; firstToken(first.Value); }
                if (acc.Deltas > before) lastToken = clock.Elapsed;
                if (acc.Events > options.MaxStreamEvents) return Oversized(make, $"stream exceeded {options.MaxStreamEvents} events");
                if (acc.Characters > options.MaxReplyCharacters) return Oversized(make, $"reply exceeded {options.MaxReplyCharacters} characters");
            }
        }
        catch (IOException)
        {
            return new AttemptResult(make(ExchangeOutcome.Truncated, "stream broke off", assess(acc.Finish(sequence).Reply).Charged), null, false, true, null);
        }
        var parsed = acc.Finish(sequence);
        var usage = assess(parsed.Reply);
        if (!parsed.Complete) return new AttemptResult(make(ExchangeOutcome.Truncated, "stream ended without [DONE]", usage.Charged), null, false, true, null);
        if (parsed.Reply is null || parsed.Malformed) return new AttemptResult(make(ExchangeOutcome.Malformed, "stream chunk is not JSON", usage.Charged), null, false, true, null);
        double? rate = null;
        if (first is { } f && lastToken is { } l && l > f)
            rate = (parsed.Reply.Usage?.CompletionTokens ?? parsed.Deltas) / (l - f).TotalSeconds;
        return new AttemptResult(make(ExchangeOutcome.Ok, usage.Anomaly, usage.Charged), parsed.Reply, true, false, null) { TokensPerSecond = rate };
    }

    /// <summary>Time left before the audit's wall-time deadline; null when there is none (or it is too far to matter).</summary>
    private TimeSpan? UntilDeadline()
    {
        if (budget.Deadline == DateTimeOffset.MaxValue) return null;
        var left = budget.Deadline - time.GetUtcNow();
        return left > TimeSpan.FromDays(30) ? null : left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static T? Inner<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException) if (x is T t) return t;
        return null;
    }

    private static bool IsEventStream(HttpResponseMessage r) =>
        r.Content.Headers.ContentType?.MediaType is null or "text/event-stream";

    private static ByteArrayContent Json(string body) =>
        new(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

    private static bool IsJson(byte[] body)
    {
        try { using var _ = JsonDocument.Parse(body); return true; }
        catch (JsonException) { return false; }
    }

    /// <summary>One request as the retry loop sends it again and again: what it is, and how Refit sends it.</summary>
    private sealed record Call(string ProbeId, HttpMethod Method, string Path, bool Stream, bool Chat, Func<WireRecord, CancellationToken, Task<HttpResponseMessage>> Send);
}
