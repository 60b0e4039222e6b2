namespace Verifier.Core.Reports;

using System.Globalization;
using System.Text;

/// <summary>
/// CSV as RFC 4180 has it: comma-separated, CRLF line ends, a field quoted (quotes doubled) when it holds a comma, quote,
/// CR or LF. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with an apostrophe;
/// numbers are written invariant and never prefixed.
/// </summary>
public static class Csv
{
    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var s = new StringBuilder();
        Line(s, header);
        foreach (var row in rows) Line(s, row);
        return s.ToString();
    }

    /// <summary>A text cell: formula-like text defused.</summary>
    public static string Text(string? value) =>
        value is { Length: > 0 } v && v[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + v : value ?? "";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>UTC, ISO 8601 with milliseconds and Z; empty when absent.</summary>
    public static string Time(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

    private static void Line(StringBuilder s, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0) s.Append(',');
            var c = cells[i];
            if (c.AsSpan().IndexOfAny(",\"\r\n") >= 0) s.Append('"').Append(c.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else s.Append(c);
        }
        s.Append("\r\n");
    }
}
