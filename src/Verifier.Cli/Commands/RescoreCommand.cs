namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using Verifier.Service.Audits;
using Verifier.Storage;

/// <summary>`verifier rescore AUDIT-ID`: re-score a stored audit from its raw exchanges; exit 0 when the verdict is reproduced exactly.</summary>
public static class RescoreCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var id = new Argument<string>("audit-id");
        var command = new Command("rescore", "Re-score a stored audit from its raw exchanges and compare the verdicts.") { db, id };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            if (!Guid.TryParse(result.GetValue(id), out var auditId)) throw new CliException($"'{result.GetValue(id)}' is not an audit id (a UUID).");
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            AuditRescoring.Comparison c;
            try { c = await AuditRescoring.RescoreAsync(context, auditId, ct); }
            catch (KeyNotFoundException e) { throw new CliException(e.Message); }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stored:   {c.Stored.Verdict.Kind} claim posterior {c.Stored.Verdict.ClaimPosterior:R} most likely {c.Stored.Verdict.MostLikely}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rescored: {c.Rescored.Verdict.Kind} claim posterior {c.Rescored.Verdict.ClaimPosterior:R} most likely {c.Rescored.Verdict.MostLikely}"));
            Console.WriteLine(c.Identical ? "identical" : "DIFFERENT");
            foreach (var (a, b) in c.Stored.Evidence.Zip(c.Rescored.Evidence))
                if (a.ProbeId != b.ProbeId || a.OutcomeKey != b.OutcomeKey || a.Weighing != b.Weighing)
                {
                    Console.WriteLine($"first difference: {a.ProbeId} {a.OutcomeKey} ({a.Observed}) vs {b.ProbeId} {b.OutcomeKey} ({b.Observed})");
                    break;
                }
            return c.Identical ? 0 : ExitCodes.Error;
        }));
        return command;
    }
}
