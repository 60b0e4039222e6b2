namespace Verifier.Core.Tests.ChatTemplates;

using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Tokenization;

public class ChatTemplateTests
{
    private static readonly ChatMessage[] Conversation =
    [
        ChatMessage.System("Be brief."),
        ChatMessage.User("2+2?"),
        ChatMessage.Assistant("<think>\nadd\n</think>\n\n4"),
        ChatMessage.User("and 3+3?"),
    ];

    [Fact]
    public void Distill_template_renders_as_the_official_one()
    {
        Assert.Equal(
            "<｜begin▁of▁sentence｜>Be brief.<｜User｜>2+2?<｜Assistant｜>\n\n4<｜end▁of▁sentence｜><｜User｜>and 3+3?<｜Assistant｜><think>\n",
            ChatTemplates.Render(ChatTemplateId.DistillQwen, Conversation));
    }

    [Fact]
    public void R1_0528_and_V3_do_not_force_think_and_V3_keeps_assistant_text()
    {
        Assert.EndsWith("<｜Assistant｜>", ChatTemplates.Render(ChatTemplateId.R1_0528, Conversation));
        Assert.Contains("<think>\nadd\n</think>", ChatTemplates.Render(ChatTemplateId.V3Chat, Conversation));
        Assert.EndsWith("<｜Assistant｜><think>\n", ChatTemplates.Render(ChatTemplateId.R1, Conversation));
    }

    [Fact]
    public void Special_tokens_are_single_ids_at_the_distills_ids()
    {
        var qwen = Tokenizers.GetForTemplate(ChatTemplateId.DistillQwen);
        Assert.Equal([151646, 151644], qwen.Encode("<｜begin▁of▁sentence｜><｜User｜>"));
        Assert.Equal([151648, 198], qwen.Encode("<think>\n"));
        Assert.True(qwen.Encode("<|im_start|>").Length > 1); // Qwen's own chat token is plain text in the distill
        var llama = Tokenizers.GetForTemplate(ChatTemplateId.DistillLlama);
        Assert.Equal([128000, 128011], llama.Encode("<｜begin▁of▁sentence｜><｜User｜>"));
        var r1 = Tokenizers.GetForTemplate(ChatTemplateId.R1);
        Assert.Equal([0, 128803], r1.Encode("<｜begin▁of▁sentence｜><｜User｜>"));
    }

    [Fact]
    public void Prompt_token_count_is_the_rendered_prompt_under_the_variant_tokenizer()
    {
        ChatMessage[] m = [ChatMessage.User("12345678901234567890")];
        // BOS + <｜User｜> + digits + <｜Assistant｜> + <think> + "\n": digits are 7 tokens for DeepSeek-V3 and Llama 3, 20 for Qwen.
        Assert.Equal(2 + 7 + 3, ChatTemplates.CountPromptTokens(ChatTemplateId.R1, m));
        Assert.Equal(2 + 20 + 3, ChatTemplates.CountPromptTokens(ChatTemplateId.DistillQwen, m));
        Assert.Equal(2 + 7 + 3, ChatTemplates.CountPromptTokens(ChatTemplateId.DistillLlama, m));
        Assert.Equal(2 + 7 + 1, ChatTemplates.CountPromptTokens(ChatTemplateId.V3Chat, m));
    }
}
