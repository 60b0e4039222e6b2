namespace Verifier.Simulator;

using System.Text.Json;

/// <summary>Response bodies as each serving stack writes them (facts sheet §4-§5): model lists, completions, errors.</summary>
public static class DialectShapes
{
    public static string DefaultStyle(string dialect, ServedModel model) => !model.Reasons ? "none" : dialect switch
    {
        "deepseek-api" or "sglang" or "llamacpp" => "field",
        "ollama" => "think-tags",
        _ => model.EmitsOpeningThinkTag ? "think-tags" : "closing-only", // vLLM without a reasoning parser
    };

    public static object Models(string dialect, Claims claims, ServedModel served, long created)
    {
        object card = dialect switch
        {
            "vllm" => new Dictionary<string, object?>
            {
                ["id"] = claims.Model, ["object"] = "model", ["created"] = created, ["owned_by"] = claims.OwnedBy ?? "vllm",
                ["root"] = claims.Root ?? served.HuggingFace, ["parent"] = null, ["max_model_len"] = claims.MaxModelLen ?? served.ContextWindow,
            },
            "llamacpp" => new Dictionary<string, object?>
            {
                ["id"] = claims.Model, ["object"] = "model", ["created"] = created, ["owned_by"] = claims.OwnedBy ?? "llamacpp",
                ["meta"] = new Dictionary<string, object?>
                {
                    ["vocab_type"] = 2, ["n_vocab"] = served.Architecture?.VocabSize, ["n_ctx_train"] = claims.MaxModelLen ?? served.ContextWindow,
                    ["n_embd"] = served.Architecture?.HiddenSize, ["n_params"] = served.Architecture?.Parameters,
                },
            },
            "deepseek-api" => new Dictionary<string, object?> { ["id"] = claims.Model, ["object"] = "model", ["owned_by"] = claims.OwnedBy ?? "deepseek" },
            _ => new Dictionary<string, object?> { ["id"] = claims.Model, ["object"] = "model", ["created"] = created, ["owned_by"] = claims.OwnedBy ?? dialect },
        };
        return new { @object = "list", data = new[] { card } };
    }

    public static object Usage(string dialect, SimulatedReply r, int reasoningTokens) => dialect == "deepseek-api"
        ? new
        {
            prompt_tokens = r.PromptTokens, completion_tokens = r.CompletionTokens, total_tokens = r.PromptTokens + r.CompletionTokens,
            prompt_cache_hit_tokens = 0, prompt_cache_miss_tokens = r.PromptTokens,
            completion_tokens_details = new { reasoning_tokens = reasoningTokens },
        }
        : new { prompt_tokens = r.PromptTokens, completion_tokens = r.CompletionTokens, total_tokens = r.PromptTokens + r.CompletionTokens };

    /// <summary>(content, reasoning field) for a reasoning style.</summary>
    public static (string Content, string? Reasoning) Split(string style, SimulatedReply r) => style switch
    {
        "field" => (r.Answer, r.Reasoning),
        "think-tags" => ($"<think>\n{r.Reasoning}\n</think>\n\n{r.Answer}", null),
        "closing-only" => ($"{r.Reasoning}\n</think>\n\n{r.Answer}", null),
        _ => (r.Answer, null),
    };

    /// <summary>OpenAI's choices[0].logprobs shape: content[] of { token, logprob, bytes, top_logprobs[] }.</summary>
    public static object Logprobs(IReadOnlyList<Verifier.Core.Chat.TokenLogprob> tokens) => new
    {
        content = tokens.Select(t => new
        {
            token = t.Token, logprob = t.Logprob, bytes = Bytes(t.Token),
            top_logprobs = t.Top.Select(x => new { token = x.Token, logprob = x.Logprob, bytes = Bytes(x.Token) }),
        }),
    };

    private static int[] Bytes(string token) => System.Text.Encoding.UTF8.GetBytes(token).Select(b => (int)b).ToArray();

    public static object Completion(string id, long created, string model, string content, string? reasoning, string finish, object? usage, string? fingerprint, object? logprobs = null) => new Dictionary<string, object?>
    {
        ["id"] = id, ["object"] = "chat.completion", ["created"] = created, ["model"] = model,
        ["choices"] = new[]
        {
            new Dictionary<string, object?>
            {
                ["index"] = 0, ["finish_reason"] = finish, ["logprobs"] = logprobs,
                ["message"] = reasoning is null
                    ? new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content }
                    : new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content, ["reasoning_content"] = reasoning },
            },
        },
        ["usage"] = usage,
        ["system_fingerprint"] = fingerprint,
    };

    /// <summary>The context-limit error of each stack (status, body).</summary>
    public static (int Status, string Body) ContextError(string dialect, int window, int prompt, int maxTokens) => dialect switch
    {
        "vllm" => (400, JsonSerializer.Serialize(new
        {
            @object = "error",
            message = $"This model's maximum context length is {window} tokens. However, you requested {prompt + maxTokens} tokens ({prompt} in the messages, {maxTokens} in the completion). Please reduce the length of the messages or completion.",
            type = "BadRequestError", param = (string?)null, code = 400,
        })),
        "llamacpp" => (400, JsonSerializer.Serialize(new { error = new { code = 400, message = $"request ({prompt} tokens) exceeds the available context size ({window} tokens), try increasing it", type = "exceed_context_size_error", n_prompt_tokens = prompt, n_ctx = window } })),
        "deepseek-api" => (400, JsonSerializer.Serialize(new { error = new { message = $"This model's maximum context length is {window} tokens. However, you requested {prompt + maxTokens} tokens. Please reduce the length of the messages.", type = "invalid_request_error", code = "invalid_request_error" } })),
        _ => (400, JsonSerializer.Serialize(new { error = new { message = $"maximum context length is {window} tokens, requested {prompt + maxTokens}", type = "invalid_request_error" } })),
    };
}
