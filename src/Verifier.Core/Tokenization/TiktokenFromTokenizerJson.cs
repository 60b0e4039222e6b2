namespace Verifier.Core.Tokenization;

using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

/// <summary>
/// Builds ML.Tokenizers' TiktokenTokenizer from a tokenizer.json's byte-level vocabulary: ML.Tokenizers has no
/// loader for Hugging Face BPE files, but Tiktoken's rank file ("base64 bytes, rank" per line) is easy to write.
/// It gets neither added tokens, normalizer nor pre-tokenizer: BpeTokenizer runs those steps and hands it pieces.
/// </summary>
internal static class TiktokenFromTokenizerJson
{
    public static TiktokenTokenizer Create(TokenizerData data)
    {
        using var rankFile = new MemoryStream(data.Vocab.Count * 16);
        using (var writer = new StreamWriter(rankFile, new UTF8Encoding(false), leaveOpen: true))
        {
            // DeepSeek-V3's vocabulary also lists its first special tokens, in plain text: they are added tokens.
            var added = data.AddedTokens.Select(t => t.Id).ToHashSet();
            Span<byte> bytes = stackalloc byte[1024];
            foreach (var (token, id) in data.Vocab.OrderBy(kv => kv.Value))
            {
                if (added.Contains(id)) continue;
                if (token.Length > bytes.Length) throw new InvalidDataException($"vocabulary entry {id} is longer than {bytes.Length} bytes");
                for (var i = 0; i < token.Length; i++)
                    bytes[i] = ByteLevel.CharToByte.TryGetValue(token[i], out var b) ? b : throw new InvalidDataException($"vocabulary entry {id} ('{token}') is not byte-level text");
                writer.Write(Convert.ToBase64String(bytes[..token.Length]));
                writer.Write(' ');
                writer.Write(id.ToString(CultureInfo.InvariantCulture));
                writer.Write('\n');
            }
        }
        rankFile.Position = 0;
        return TiktokenTokenizer.Create(rankFile, preTokenizer: null, normalizer: null);
    }
}
