namespace Verifier.Core.Reports;

using System.Net;
using System.Text;
using System.Text.Json;
using Verifier.Core.Audits;

/// <summary>
/// Renders an audit result as JSON (machine: the <see cref="ReportModel"/>), Markdown and HTML (people: the same
/// <see cref="ReportDocument"/> blocks). HTML encodes every value it prints; Markdown escapes what could break a table.
/// </summary>
public static class AuditReports
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string ToJson(AuditResult result, ReportContext context) => JsonSerializer.Serialize(ReportModel.From(result, context), Json);

    public static string ToMarkdown(AuditResult result, ReportContext context)
    {
        var s = new StringBuilder();
        foreach (var block in ReportDocument.From(ReportModel.From(result, context)))
        {
            switch (block)
            {
                case Banner b: s.Append("> **").Append(Md(b.Text)).Append("**\n\n"); break;
                case Heading h: s.Append('#', h.Level).Append(' ').Append(Md(h.Text)).Append("\n\n"); break;
                case Bullets b:
                    foreach (var item in b.Items) s.Append("- ").Append(Md(item)).Append('\n');
                    s.Append('\n');
                    break;
                case Table t:
                    s.Append("| ").AppendJoin(" | ", t.Header.Select(Md)).Append(" |\n|").Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                    foreach (var row in t.Rows) s.Append("| ").AppendJoin(" | ", row.Select(Md)).Append(" |\n");
                    s.Append('\n');
                    break;
            }
        }
        return s.ToString();
    }

    public static string ToHtml(AuditResult result, ReportContext context)
    {
        var m = ReportModel.From(result, context);
        var s = new StringBuilder();
        s.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Audit ").Append(H(m.AuditId)).Append("</title>\n")
         .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}strong{font-size:1.2em}.banner{background:#fe8;padding:8px}</style></head><body>\n");
        foreach (var block in ReportDocument.From(m))
        {
            switch (block)
            {
                case Banner b: s.Append("<p class=\"banner\">").Append(H(b.Text)).Append("</p>\n"); break;
                case Heading h: s.Append("<h").Append(h.Level).Append('>').Append(H(h.Text)).Append("</h").Append(h.Level).Append(">\n"); break;
                case Bullets b:
                    s.Append("<ul>\n");
                    foreach (var item in b.Items) s.Append("<li>").Append(Html(item)).Append("</li>\n");
                    s.Append("</ul>\n");
                    break;
                case Table t:
                    s.Append("<table><tr>").Append(string.Concat(t.Header.Select(c => "<th>" + H(c) + "</th>"))).Append("</tr>\n");
                    foreach (var row in t.Rows) s.Append("<tr>").Append(string.Concat(row.Select(c => "<td>" + Html(c) + "</td>"))).Append("</tr>\n");
                    s.Append("</table>\n");
                    break;
            }
        }
        return s.Append("</body></html>\n").ToString();
    }

    private static string Md(IReadOnlyList<Span> spans) => string.Concat(spans.Select(x => x.Style switch
    {
        SpanStyle.Code => "`" + x.Text.Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal) + "`",
        SpanStyle.Strong => "**" + Md(x.Text) + "**",
        _ => Md(x.Text),
    }));

    private static string Html(IReadOnlyList<Span> spans) => string.Concat(spans.Select(x => x.Style switch
    {
        SpanStyle.Code => "<code>" + H(x.Text) + "</code>",
        SpanStyle.Strong => "<strong>" + H(x.Text) + "</strong>",
        _ => H(x.Text),
    }));

    private static string H(string s) => WebUtility.HtmlEncode(s);

    private static string Md(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
