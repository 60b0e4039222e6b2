namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Text;
using System.Text.Json;
using Verifier.Core.Catalog;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Tokenization;

/// <summary>`verifier tokenize`: JSONL rows {"text"} in, rows {"ids"} out (no BOS/EOS added), in order.</summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "deepseek-v3, qwen, llama3, or a variant id (its own special tokens).", Required = true };
        var input = new Option<string>("--input") { Description = "JSONL file of {\"text\": ...} rows; - for standard input.", Required = true };
        var output = new Option<string?>("--output") { Description = "Write rows here instead of standard output." };
        var command = new Command("tokenize", "Token ids of each input row under a family's or a variant's tokenizer.") { tokenizer, input, output };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            var t = Resolve(result.GetValue(tokenizer)!);
            var path = result.GetValue(input)!;
            using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8) : OpenInput(path);
            await using var writer = result.GetValue(output) is { } o ? new StreamWriter(o, false, new UTF8Encoding(false)) : new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            var line = 0;
            while (await reader.ReadLineAsync(ct) is { } text)
            {
                line++;
                if (string.IsNullOrWhiteSpace(text)) continue;
                string value;
                try
                {
                    using var doc = JsonDocument.Parse(text);
                    value = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("text", out var v) && v.ValueKind == JsonValueKind.String
                        ? v.GetString()! : throw new CliException($"line {line}: expected an object with a string \"text\".");
                }
                catch (JsonException e)
                {
                    throw new CliException($"line {line}: not valid JSON ({e.Message}).");
                }
                await writer.WriteLineAsync(JsonSerializer.Serialize(new { ids = t.Encode(value) }));
            }
            return 0;
        }));
        return command;
    }

    private static StreamReader OpenInput(string path) =>
        File.Exists(path) ? new StreamReader(path, Encoding.UTF8) : throw new CliException($"--input '{path}' does not exist.");

    public static BpeTokenizer Resolve(string name)
    {
        if (TokenizerFamilies.FromKey(name) is { } family) return Tokenizers.Get(family);
        if (VariantCatalog.Default.TryParseBuild(name, out var variant, out _)) return Tokenizers.GetForTemplate(ChatTemplates.Parse(variant.ChatTemplate));
        throw new CliException($"--tokenizer '{name}' is neither deepseek-v3, qwen, llama3 nor a catalogued variant ({string.Join(", ", VariantCatalog.Default.Variants.Select(v => v.Id))}).");
    }
}
