namespace Verifier.Cli.Commands;

using System.CommandLine;
using Verifier.Storage;

public static class MigrateCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var command = new Command("migrate", "Create or upgrade the database schema (safe to run from several nodes at once).") { db };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            await Migrator.MigrateAsync(CommonOptions.RequireDatabase(result, db), m => Console.Error.WriteLine(m), ct);
            return 0;
        }));
        return command;
    }
}
