namespace Verifier.Core.Tokenization;

using System.Text;
using Microsoft.ML.Tokenizers;

/// <summary>
/// The NFC/NFKC normalizer of a tokenizer.json (Qwen's is NFC), which ML.Tokenizers does not ship. BpeTokenizer runs
/// it on the text between added tokens, having matched those on the raw text first.
/// </summary>
internal sealed class UnicodeFormNormalizer(NormalizationForm form) : Normalizer
{
    public override string Normalize(string original) => original.IsNormalized(form) ? original : original.Normalize(form);

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
}
