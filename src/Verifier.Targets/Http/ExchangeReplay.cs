namespace Verifier.Targets.Http;

using System.Text;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;

/// <summary>
/// Rebuilds what a probe execution returned from its stored raw exchanges alone (for <c>verifier rescore</c>): the
/// attempts of one request are consecutive and start at Attempt 1; the last attempt is the request's response, parsed
/// with the same <see cref="ReplyParser"/> as live.
/// </summary>
public static class ExchangeReplay
{
    public static ProbeExecution ToExecution(ProbeInstance instance, IReadOnlyList<Exchange> exchanges)
    {
        var ordered = exchanges.OrderBy(e => e.Sequence).ToList();
        var groups = new List<List<Exchange>>();
        foreach (var e in ordered)
        {
            if (e.Attempt <= 1 || groups.Count == 0) groups.Add([]);
            groups[^1].Add(e);
        }
        var responses = groups.Select((g, i) => Response(i, g[^1], instance.Requests.ElementAtOrDefault(i))).ToList();
        return new ProbeExecution(responses, ordered);
    }

    public static ProbeResponse Response(int index, Exchange last, ProbeRequest? request)
    {
        var body = Encoding.UTF8.GetString(last.ResponseBody);
        var delivered = last.Outcome == ExchangeOutcome.Ok
            || last.Outcome == ExchangeOutcome.HttpError && last.StatusCode is { } status && !AttemptResult.IsRetryable(status);
        ChatReply? reply = null;
        if (last.Outcome == ExchangeOutcome.Ok && (request is null || request.Kind == ProbeRequestKind.Chat) && last.Url.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            // Same rule as live: a streamed request whose response is an event stream (or has no content type).
            var asked = Encoding.UTF8.GetString(last.RequestBody).Contains("\"stream\":true", StringComparison.Ordinal);
            var ct = last.ResponseHeaders.TryGetValue("Content-Type", out var c) ? c : null;
            var streamed = asked && (ct is null || ct.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase));
            if (streamed)
            {
                var acc = new ReplyParser.StreamAccumulator();
                acc.Feed(body);
                reply = acc.Finish(last.Sequence).Reply;
            }
            else reply = ReplyParser.ParseCompletion(last.ResponseBody, last.Sequence);
        }
        return new ProbeResponse(index, delivered, last.StatusCode, reply, body, last.Sequence, last.TimeToFirstToken, null,
            delivered ? null : last.Error ?? last.Outcome.ToString());
    }
}
