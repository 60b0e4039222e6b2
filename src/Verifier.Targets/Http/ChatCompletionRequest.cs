namespace Verifier.Targets.Http;

using Verifier.Core.Probes;

/// <summary>
/// The body of a chat completion as it goes on the wire (snake_case, nulls left out, see <see cref="TargetApi"/>).
/// What differs between dialects comes from <see cref="Dialects"/>; the request stays minimal on purpose: the audit
/// wants to see how a stack behaves by default (where it puts reasoning, whether it reports usage), not reconfigure it.
/// </summary>
public sealed record ChatCompletionRequest(
    string Model,
    IReadOnlyList<ChatCompletionRequest.Message> Messages,
    int? MaxTokens,
    double? Temperature,
    double? TopP,
    bool Stream,
    bool? Logprobs,
    int? TopLogprobs,
    ChatCompletionRequest.Options? StreamOptions)
{
    public sealed record Message(string Role, string Content);

    public sealed record Options(bool IncludeUsage);

    public static ChatCompletionRequest For(TargetEndpoint endpoint, ProbeRequest request)
    {
        var logprobs = request.TopLogprobs is not null && Dialects.ReturnsLogprobs(endpoint.Dialect);
        return new(
            endpoint.Model,
            request.Messages.Select(m => new Message(m.Role, m.Content)).ToList(),
            request.MaxTokens > 0 ? request.MaxTokens : null,
            request.Temperature,
            request.TopP,
            request.Stream,
            logprobs ? true : null,
            logprobs ? request.TopLogprobs : null,
            request.Stream ? new Options(IncludeUsage: true) : null); // streams always ask for usage
    }
}
