namespace Verifier.Core.Reports;

using System.Text;
using System.Text.Json;

/// <summary>
/// The readable part of a raw exchange for the report's appendix: the prompt (chat messages) and the reply text
/// (reasoning and answer, also reassembled from a stream); anything else as its raw text. Never headers.
/// </summary>
public static class ExchangeText
{
    public static string Prompt(byte[] body)
    {
        if (body.Length == 0) return "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
                return string.Join("\n\n", messages.EnumerateArray().Select(m =>
                    $"[{Str(m, "role") ?? "?"}] {(m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : c.ToString())}"));
        }
        catch (JsonException) { }
        return Raw(body);
    }

    public static string Response(byte[] body)
    {
        if (body.Length == 0) return "";
        var text = Raw(body);
        if (text.TrimStart().StartsWith("data:", StringComparison.Ordinal)) return Stream(text);
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("choices", out var choices)
                && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0 && choices[0].TryGetProperty("message", out var message))
                return Join(Str(message, "reasoning_content") ?? Str(message, "reasoning"), Str(message, "content"));
        }
        catch (JsonException) { }
        return text;
    }

    private static string Stream(string text)
    {
        StringBuilder reasoning = new(), content = new();
        foreach (var line in text.Split('\n'))
        {
            var data = line.Trim();
            if (!data.StartsWith("data:", StringComparison.Ordinal)) continue;
            data = data[5..].Trim();
            if (data == "[DONE]") continue;
            try
            {
                using var doc = JsonDocument.Parse(data);
                if (!doc.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0
                    || !choices[0].TryGetProperty("delta", out var delta)) continue;
                reasoning.Append(Str(delta, "reasoning_content") ?? Str(delta, "reasoning"));
                content.Append(Str(delta, "content"));
            }
            catch (JsonException) { }
        }
        return Join(reasoning.Length == 0 ? null : reasoning.ToString(), content.ToString());
    }

    private static string Join(string? reasoning, string? content) =>
        string.IsNullOrEmpty(reasoning) ? content ?? "" : $"[reasoning] {reasoning}\n\n[answer] {content}";

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Raw(byte[] body) => Encoding.UTF8.GetString(body);
}
