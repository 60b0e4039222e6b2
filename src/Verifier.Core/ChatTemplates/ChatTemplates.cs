namespace Verifier.Core.ChatTemplates;

using System.Text;
using Verifier.Core.Chat;
using Verifier.Core.Tokenization;

/// <summary>
/// Renders messages as each variant's own template does (facts sheet §1.4), so the expected prompt_tokens of a
/// request can be computed per variant. The DeepSeek scheme: BOS, every system message's content, then
/// "&lt;｜User｜&gt;content" and "&lt;｜Assistant｜&gt;answer&lt;｜end▁of▁sentence｜&gt;" with earlier reasoning dropped;
/// the generation prompt forces "&lt;think&gt;\n" for R1 and the distills, not for R1-0528, V3 or the Qwen3 distill.
/// </summary>
public static class ChatTemplates
{
    public const string Bos = "<｜begin▁of▁sentence｜>";
    public const string Eos = "<｜end▁of▁sentence｜>";
    public const string User = "<｜User｜>";
    public const string Assistant = "<｜Assistant｜>";

    public static ChatTemplateId Parse(string name) =>
        Enum.TryParse<ChatTemplateId>(name, ignoreCase: true, out var id) ? id : throw new ArgumentException($"Unknown chat template '{name}'. Known: {string.Join(", ", Enum.GetNames<ChatTemplateId>())}.", nameof(name));

    public static bool ForcesThink(ChatTemplateId id) => id is ChatTemplateId.R1 or ChatTemplateId.DistillQwen or ChatTemplateId.DistillLlama;

    public static string Render(ChatTemplateId id, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        var sb = new StringBuilder(Bos);
        foreach (var m in messages.Where(m => m.Role == "system")) sb.Append(m.Content);
        foreach (var m in messages)
        {
            switch (m.Role)
            {
                case "user":
                    sb.Append(User).Append(m.Content);
                    break;
                case "assistant":
                    sb.Append(Assistant).Append(id == ChatTemplateId.V3Chat ? m.Content : StripReasoning(m.Content)).Append(Eos);
                    break;
                case "system":
                    break;
                default:
                    throw new ArgumentException($"Unknown role '{m.Role}'.", nameof(messages));
            }
        }
        if (addGenerationPrompt) sb.Append(Assistant).Append(ForcesThink(id) ? "<think>\n" : "");
        return sb.ToString();
    }

    /// <summary>Tokens of the rendered prompt under the variant's own tokenizer (what a server reports as prompt_tokens).</summary>
    public static int CountPromptTokens(ChatTemplateId id, IReadOnlyList<ChatMessage> messages) =>
        Tokenizers.GetForTemplate(id).CountTokens(Render(id, messages));

    // The templates keep only what follows "</think>" of earlier assistant turns.
    private static string StripReasoning(string content)
    {
        var close = content.LastIndexOf("</think>", StringComparison.Ordinal);
        return close < 0 ? content : content[(close + "</think>".Length)..];
    }
}
