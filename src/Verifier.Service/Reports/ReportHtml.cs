namespace Verifier.Service.Reports;

using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Verifier.Core.Audits;
using Verifier.Core.Reports;

/// <summary>
/// The HTML report: <see cref="AuditReportPage"/> rendered to a string by Blazor's <see cref="HtmlRenderer"/> (no
/// request, no circuit), for the API and the CLI alike. Printing it to PDF gives a first page to sign.
/// </summary>
public static class ReportHtml
{
    // Every value is still HTML-encoded; only characters outside ASCII (—, ·, names) stay readable instead of &#x…; escapes.
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSingleton(HtmlEncoder.Create(UnicodeRanges.All)).BuildServiceProvider();

    public static async Task<string> RenderAsync(ReportModel model)
    {
        await using var renderer = new HtmlRenderer(Services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<AuditReportPage>(ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(AuditReportPage.Model)] = model }));
            return output.ToHtmlString();
        });
    }

    public static Task<string> RenderAsync(AuditResult result, ReportContext context) => RenderAsync(ReportModel.From(result, context));

    /// <summary>For synchronous callers (the CLI's report writer); there is no synchronization context to deadlock on.</summary>
    public static string Render(AuditResult result, ReportContext context) => RenderAsync(result, context).GetAwaiter().GetResult();
}
