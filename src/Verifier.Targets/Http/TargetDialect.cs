namespace Verifier.Targets.Http;

/// <summary>Serving stacks the client knows. A dialect decides request extras, metadata paths and where reasoning usually sits.</summary>
public enum TargetDialect { DeepSeekApi, Vllm, Sglang, LlamaCpp, Ollama }

/// <summary>A metadata request a dialect answers (GET, or POST with a JSON body such as Ollama's /api/show).</summary>
public sealed record MetadataPath(string Method, string Path, string? JsonBody = null);

public static class Dialects
{
    /// <summary>The canonical names (what <see cref="Name"/> returns and the API and scenarios accept).</summary>
    public static readonly IReadOnlyList<string> Names = ["deepseek-api", "vllm", "sglang", "llamacpp", "ollama"];

    public static TargetDialect Parse(string name) => name.ToLowerInvariant() switch
    {
        "deepseek-api" or "deepseek" => TargetDialect.DeepSeekApi,
        "vllm" => TargetDialect.Vllm,
        "sglang" => TargetDialect.Sglang,
        "llamacpp" or "llama.cpp" or "llama-cpp" => TargetDialect.LlamaCpp,
        "ollama" => TargetDialect.Ollama,
        _ => throw new ArgumentException($"Unknown dialect '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
    };

    public static string Name(TargetDialect d) => d switch
    {
        TargetDialect.DeepSeekApi => "deepseek-api",
        TargetDialect.Vllm => "vllm",
        TargetDialect.Sglang => "sglang",
        TargetDialect.LlamaCpp => "llamacpp",
        _ => "ollama",
    };

    /// <summary>Identity endpoints of each stack (facts sheet §5). Paths are relative to the server root.</summary>
    public static IReadOnlyList<MetadataPath> MetadataPaths(TargetDialect d, string model) => d switch
    {
        TargetDialect.DeepSeekApi => [new("GET", "/models")],
        TargetDialect.Vllm => [new("GET", "/v1/models")],
        TargetDialect.Sglang => [new("GET", "/v1/models"), new("GET", "/get_model_info"), new("GET", "/get_server_info")],
        TargetDialect.LlamaCpp => [new("GET", "/v1/models"), new("GET", "/props")],
        _ => [new("GET", "/v1/models"), new("POST", "/api/show", System.Text.Json.JsonSerializer.Serialize(new { model })), new("GET", "/api/tags")],
    };

    /// <summary>
    /// Whether to ask the stack for logprobs (detection-sources.md, "Who returns logprobs"): vLLM, SGLang and llama.cpp
    /// return them; DeepSeek's API treats the parameter as an error for the reasoner and Ollama's OpenAI-compatible
    /// endpoint drops them, so fingerprints there are compared on text alone.
    /// </summary>
    public static bool ReturnsLogprobs(TargetDialect d) => d is TargetDialect.Vllm or TargetDialect.Sglang or TargetDialect.LlamaCpp;
}
