namespace Verifier.Core.Reports;

using System.Text;
using System.Text.Json;
using Verifier.Core.Audits;

/// <summary>
/// Renders an audit result as JSON (machine: the <see cref="ReportModel"/>) and Markdown (the <see cref="ReportDocument"/>
/// blocks). HTML is rendered from a Razor template in Verifier.Service/Reports over the same model. Markdown escapes
/// what could break a table or start markup.
/// </summary>
public static class AuditReports
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string ToJson(AuditResult result, ReportContext context) => JsonSerializer.Serialize(ReportModel.From(result, context), Json);

    public static string ToMarkdown(AuditResult result, ReportContext context) => ToMarkdown(ReportModel.From(result, context));

    public static string ToMarkdown(ReportModel model)
    {
        var s = new StringBuilder();
        foreach (var block in ReportDocument.From(model))
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
                case Preformatted p:
                    // a fence longer than any run of backticks or tildes in the text, so vendor text cannot close it
                    var fence = new string('~', Math.Max(3, LongestRun(p.Text, '~') + 1));
                    s.Append(fence).Append('\n').Append(p.Text).Append('\n').Append(fence).Append("\n\n");
                    break;
            }
        }
        return s.ToString();
    }

    private static int LongestRun(string s, char c)
    {
        int best = 0, run = 0;
        foreach (var x in s) best = Math.Max(best, run = x == c ? run + 1 : 0);
        return best;
    }

    private static string Md(IReadOnlyList<Span> spans) => string.Concat(spans.Select(x => x.Style switch
    {
        SpanStyle.Code => "`" + x.Text.Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal) + "`",
        SpanStyle.Strong => "**" + Md(x.Text) + "**",
        SpanStyle.Label => "**" + Md(x.Text.TrimEnd()) + "**" + (x.Text.EndsWith(' ') ? " " : ""),
        _ => Md(x.Text),
    }));

    private static string Md(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
