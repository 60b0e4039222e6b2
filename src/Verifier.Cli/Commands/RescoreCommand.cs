namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using Verifier.Cli.Output;
using Verifier.Core;
using Verifier.Core.Audits;
using Verifier.Service.Audits;
using Verifier.Storage;

/// <summary>`verifier rescore AUDIT-ID`: re-score a stored audit from its raw exchanges; exit 0 when the verdict is reproduced exactly.</summary>
public static class RescoreCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var id = new Argument<string>("audit-id");
        var json = CliJson.Flag();
        var command = new Command("rescore", "Re-score a stored audit from its raw exchanges and compare the verdicts.") { db, id, json };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            if (!Guid.TryParse(result.GetValue(id), out var auditId)) throw new CliException($"'{result.GetValue(id)}' is not an audit id (a UUID).");
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            AuditRescoring.Comparison c;
            try { c = await AuditRescoring.RescoreAsync(context, auditId, ct); }
            catch (KeyNotFoundException e) { throw new CliException(e.Message); }
            var difference = c.Stored.Evidence.Zip(c.Rescored.Evidence)
                .FirstOrDefault(p => p.First.ProbeId != p.Second.ProbeId || p.First.OutcomeKey != p.Second.OutcomeKey || p.First.Weighing != p.Second.Weighing);
            if (result.GetValue(json))
            {
                CliJson.Print(new
                {
                    auditId, identical = c.Identical, stored = Summary(c.Stored.Verdict), rescored = Summary(c.Rescored.Verdict),
                    firstDifference = difference.First is { } a ? new
                    {
                        stored = new { a.ProbeId, a.OutcomeKey, a.Observed },
                        rescored = new { difference.Second.ProbeId, difference.Second.OutcomeKey, difference.Second.Observed },
                    } : null,
                });
                return c.Identical ? 0 : ExitCodes.Error;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stored:   {c.Stored.Verdict.Kind} claim posterior {c.Stored.Verdict.ClaimPosterior:R} most likely {c.Stored.Verdict.MostLikely}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rescored: {c.Rescored.Verdict.Kind} claim posterior {c.Rescored.Verdict.ClaimPosterior:R} most likely {c.Rescored.Verdict.MostLikely}"));
            Console.WriteLine(c.Identical ? "identical" : "DIFFERENT");
            if (difference.First is { } x)
                Console.WriteLine($"first difference: {x.ProbeId} {x.OutcomeKey} ({x.Observed}) vs {difference.Second.ProbeId} {difference.Second.OutcomeKey} ({difference.Second.Observed})");
            return c.Identical ? 0 : ExitCodes.Error;
        }));
        return command;
    }

    private static object Summary(Verdict v) => new { verdict = StoredNames.Of(v.Kind), claimPosterior = v.ClaimPosterior, mostLikely = v.MostLikely };
}
