namespace Verifier.Core.Probes.Generators;

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

/// <summary>The last \boxed{...} of a reply (nested braces allowed), normalised so equal answers compare equal.</summary>
public static partial class BoxedAnswer
{
    public static string? Extract(string? text)
    {
        if (text is null) return null;
        var start = text.LastIndexOf("\\boxed{", StringComparison.Ordinal);
        if (start < 0) return null;
        var i = start + "\\boxed{".Length;
        var depth = 1;
        var sb = new StringBuilder();
        for (; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return Normalize(sb.ToString());
            sb.Append(text[i]);
        }
        return null; // unbalanced: no answer
    }

    public static string Normalize(string answer)
    {
        var s = TextCommand().Replace(answer, "$1");
        s = s.Replace("$", "", StringComparison.Ordinal).Replace("\\,", "", StringComparison.Ordinal).Replace("\\!", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
        s = Spaces().Replace(s, "");
        if (FracCommand().Match(s) is { Success: true } f) s = $"{f.Groups[1].Value}/{f.Groups[2].Value}";
        s = s.TrimEnd('.');
        if (s is "true" or "yes") return "true";
        if (s is "false" or "no") return "false";
        var numeric = s.Replace(",", "", StringComparison.Ordinal);
        if (decimal.TryParse(numeric, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d.ToString("G29", CultureInfo.InvariantCulture);
        return s;
    }

    [GeneratedRegex(@"\\(?:text|mathrm|textbf)\{([^{}]*)\}")]
    private static partial Regex TextCommand();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"^\\d?frac\{(-?\d+)\}\{(\d+)\}$")]
    private static partial Regex FracCommand();
}
