namespace Verifier.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using Verifier.Cli.Output;
using Verifier.Storage;

/// <summary>
/// `verifier prune --older-than DAYS`: raw-exchange retention. A command rather than a service setting applied by a
/// Hangfire recurring job: pruning destroys the bytes a verdict can be re-checked from, so it stays an explicit operator
/// action (run it from cron or a systemd timer) that prints what it freed, instead of a default every node applies
/// silently; it also needs no node running and no new setting on every node.
/// </summary>
public static class PruneCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var days = new Option<double>("--older-than") { Description = "Prune audits that finished more than this many days ago.", Required = true };
        var json = CliJson.Flag();
        var command = new Command("prune", "Empty the raw request/response bodies of audits finished more than DAYS ago (metadata, evidence and verdicts stay).") { db, days, json };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            var olderThan = result.GetValue(days);
            if (!double.IsFinite(olderThan) || olderThan < 0 || olderThan > 36_500) throw new CliException("--older-than must be a number of days between 0 and 36500.");
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            var pruned = await ExchangeRetention.PruneAsync(context, DateTimeOffset.UtcNow - TimeSpan.FromDays(olderThan), ct);
            if (result.GetValue(json))
            {
                CliJson.Print(new { finishedBefore = pruned.Cutoff, audits = pruned.Audits, exchanges = pruned.Exchanges, bytesFreed = pruned.BytesFreed });
                return 0;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finished before   {pruned.Cutoff.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audits pruned     {pruned.Audits}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exchanges pruned  {pruned.Exchanges}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes freed       {pruned.BytesFreed} (request/response bodies; PostgreSQL reuses the space after vacuum)"));
            return 0;
        }));
        return command;
    }
}
