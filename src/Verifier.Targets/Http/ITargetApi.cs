namespace Verifier.Targets.Http;

using Refit;

/// <summary>
/// The OpenAI-compatible API of a target, implemented by Refit's source generator. Every call returns the response
/// unread (headers only) so the client reads bodies and SSE streams as they arrive, under its caps. Non-success
/// statuses come back as responses, not exceptions: they are evidence too. Paths are relative to the server root.
/// </summary>
[Headers("Accept: application/json")]
public interface ITargetApi
{
    [Get("/v1/models")]
    Task<HttpResponseMessage> ListModels([Property(WireRecord.Key)] WireRecord wire, CancellationToken cancellationToken);

    [Post("/v1/chat/completions")]
    Task<HttpResponseMessage> ChatCompletion([Body] ChatCompletionRequest body, [Property(WireRecord.Key)] WireRecord wire, CancellationToken cancellationToken);

    [Post("/v1/chat/completions")]
    [Headers("Accept: text/event-stream")]
    Task<HttpResponseMessage> StreamChatCompletion([Body] ChatCompletionRequest body, [Property(WireRecord.Key)] WireRecord wire, CancellationToken cancellationToken);

    /// <summary>Other identity endpoints of a stack (llama.cpp's /props, SGLang's /get_model_info…).</summary>
    [Get("/{**path}")]
    Task<HttpResponseMessage> GetPath(string path, [Property(WireRecord.Key)] WireRecord wire, CancellationToken cancellationToken);

    /// <summary>A JSON body sent verbatim (Ollama's /api/show).</summary>
    [Post("/{**path}")]
    Task<HttpResponseMessage> PostJson(string path, [Body] HttpContent body, [Property(WireRecord.Key)] WireRecord wire, CancellationToken cancellationToken);
}
