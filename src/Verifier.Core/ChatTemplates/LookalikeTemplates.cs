namespace Verifier.Core.ChatTemplates;

using System.Text;
using Verifier.Core.Chat;
using Verifier.Core.Tokenization;

/// <summary>
/// Chat templates of the instruct models a look-alike vendor would serve instead of an R1 distill: the same base
/// vocabularies, but templates that add text the R1 templates do not (Qwen2.5-Instruct's default system prompt, Llama
/// 3.1-Instruct's default "Cutting Knowledge Date" system header; both from the models' published tokenizer_config.json).
/// The added text is visible in prompt_tokens.
/// </summary>
public static class LookalikeTemplates
{
    public sealed record Lookalike(string Id, TokenizerFamily Family, Func<IReadOnlyList<ChatMessage>, string> Render);

    public static readonly IReadOnlyList<Lookalike> All =
    [
        new("qwen2.5-instruct", TokenizerFamily.Qwen, QwenChatMl),
        new("llama-3.1-instruct", TokenizerFamily.Llama3, Llama31),
    ];

    public static string QwenChatMl(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder();
        if (messages.All(m => m.Role != "system")) sb.Append("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n");
        foreach (var m in messages) sb.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
        return sb.Append("<|im_start|>assistant\n").ToString();
    }

    public static string Llama31(IReadOnlyList<ChatMessage> messages)
    {
        var sb = new StringBuilder("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n");
        var system = messages.FirstOrDefault(m => m.Role == "system")?.Content.Trim() ?? "";
        sb.Append(system).Append("<|eot_id|>");
        foreach (var m in messages.Where(m => m.Role != "system")) sb.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n").Append(m.Content.Trim()).Append("<|eot_id|>");
        return sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n").ToString();
    }

    /// <summary>Prompt tokens of the messages under a look-alike's template and its family's base tokenizer.</summary>
    public static int CountPromptTokens(Lookalike template, IReadOnlyList<ChatMessage> messages) =>
        Tokenizers.Get(template.Family).CountTokens(template.Render(messages));
}
