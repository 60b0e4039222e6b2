namespace Verifier.Simulator;

using System.Text;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Probes;
using Verifier.Core.Tokenization;

/// <summary>
/// Models outside the catalogue (the open set): instruction models on the same base vocabularies but with their own
/// special tokens and templates (ChatML for Qwen2.5-Instruct, Llama 3's header template), no reasoning.
/// </summary>
public static class OutsideModels
{
    public static readonly string[] Names = ["outside:qwen2.5-7b-instruct", "outside:llama-3.1-8b-instruct"];

    public static bool IsOutside(string id) => Names.Contains(id);

    public static ServedModel Get(string id) => id switch
    {
        "outside:qwen2.5-7b-instruct" => Make(id, "qwen", TokenizerFamily.Qwen, LookalikeTemplates.QwenChatMl, 32768, "Qwen/Qwen2.5-7B-Instruct"),
        "outside:llama-3.1-8b-instruct" => Make(id, "llama3", TokenizerFamily.Llama3, LookalikeTemplates.Llama31, 131072, "meta-llama/Llama-3.1-8B-Instruct"),
        _ => throw new ArgumentException($"Unknown outside model '{id}'.", nameof(id)),
    };

    private static ServedModel Make(string id, string family, TokenizerFamily tokenizerFamily, Func<IReadOnlyList<ChatMessage>, string> render, int context, string repo)
    {
        var tokenizer = Tokenizers.Get(tokenizerFamily);
        return new ServedModel(id, family, m => tokenizer.Encode(render(m)), tokenizer.CountTokens, false, false, context, 0, repo, null,
            (category, tier) => (category, tier) switch
            {
                (ProbeCategory.Reasoning, "t1") => 0.85, (ProbeCategory.Reasoning, "t2") => 0.45, (ProbeCategory.Reasoning, "t3") => 0.2, (ProbeCategory.Reasoning, _) => 0.03,
                (ProbeCategory.Code, "t1") => 0.6, (ProbeCategory.Code, _) => 0.45,
                (ProbeCategory.LongContext, _) => 0.9,
                _ => 0.99,
            });
    }
}
