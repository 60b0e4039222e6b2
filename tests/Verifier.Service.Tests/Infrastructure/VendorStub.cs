namespace Verifier.Service.Tests.Infrastructure;

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

/// <summary>
/// A minimal OpenAI-compatible vendor on 127.0.0.1 (vLLM-shaped /v1/models and chat completions, usage counted with
/// the real DeepSeek-R1 tokenizer and template, every answer "Hello") that counts
/// requests per audit marker and can answer slowly, so tests can see duplicates and kill a node mid-audit.
/// </summary>
public sealed class VendorStub : IAsyncDisposable
{
    private readonly WebApplication app;
    public ConcurrentBag<string> Requests { get; } = [];
    public TimeSpan ChatDelay { get; set; }

    /// <summary>Whose chat template and tokenizer count prompt_tokens: set to another family mid-test to switch the model behind the endpoint.</summary>
    public Verifier.Core.ChatTemplates.ChatTemplateId Template { get; set; } = Verifier.Core.ChatTemplates.ChatTemplateId.R1;
    public string BaseUrl { get; }

    private VendorStub(WebApplication app, string baseUrl) { this.app = app; BaseUrl = baseUrl; }

    public static async Task<VendorStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        VendorStub? stub = null;
        app.MapGet("/v1/models", (HttpContext ctx) =>
        {
            stub!.Requests.Add("models " + ctx.Request.Headers.Authorization);
            return Results.Json(new { @object = "list", data = new[] { new { id = "deepseek-r1", @object = "model", owned_by = "vllm", root = "deepseek-ai/DeepSeek-R1", max_model_len = 163840 } } });
        });
        app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
        {
            stub!.Requests.Add("chat " + ctx.Request.Headers.Authorization);
            using var body = await System.Text.Json.JsonDocument.ParseAsync(ctx.Request.Body);
            var messages = body.RootElement.GetProperty("messages").EnumerateArray()
                .Select(m => new Verifier.Core.Chat.ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
            var promptTokens = Verifier.Core.ChatTemplates.ChatTemplates.CountPromptTokens(stub.Template, messages);
            await Task.Delay(stub.ChatDelay, ctx.RequestAborted);
            return Results.Json(new
            {
                id = "cmpl-1", @object = "chat.completion", model = "deepseek-r1",
                choices = new[] { new { index = 0, finish_reason = "stop", message = new { role = "assistant", content = "Okay.</think>\n\nHello" } } },
                usage = new { prompt_tokens = promptTokens, completion_tokens = 5, total_tokens = promptTokens + 5 },
            });
        });
        await app.StartAsync();
        stub = new VendorStub(app, app.Urls.First());
        return stub;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
