namespace Verifier.Core.Tokenization;

/// <summary>The three base vocabularies behind every catalogued variant (facts sheet §1.3).</summary>
public enum TokenizerFamily { DeepSeekV3, Qwen, Llama3 }

public static class TokenizerFamilies
{
    public static readonly TokenizerFamily[] All = [TokenizerFamily.DeepSeekV3, TokenizerFamily.Qwen, TokenizerFamily.Llama3];

    /// <summary>The catalog's key for a family ("deepseek-v3", "qwen", "llama3"), also used in evidence.</summary>
    public static string Key(TokenizerFamily family) => family switch
    {
        TokenizerFamily.DeepSeekV3 => "deepseek-v3",
        TokenizerFamily.Qwen => "qwen",
        _ => "llama3",
    };

    public static TokenizerFamily? FromKey(string key) => key switch
    {
        "deepseek-v3" or "deepseek_v3" => TokenizerFamily.DeepSeekV3,
        "qwen" or "qwen3" => TokenizerFamily.Qwen,
        "llama3" or "llama3_1" => TokenizerFamily.Llama3,
        _ => null,
    };

    /// <summary>Folder under the asset root (the npm package it comes from) and the pinned sha256 of its tokenizer.json.</summary>
    public static (string Folder, string Sha256) Asset(TokenizerFamily family) => family switch
    {
        TokenizerFamily.DeepSeekV3 => ("deepseek_v3", "621ac2e32d0dba658404412318818aaa8ce8cda492e59830109d8da6b517fb41"),
        TokenizerFamily.Qwen => ("qwen3", "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"),
        _ => ("llama3_1", "e134af98b985517b4f068e3755ae90d4e9cd2d45d328325dc503f1c6b2d06cc7"),
    };
}
