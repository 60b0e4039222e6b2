namespace Verifier.Cli.Commands;

using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Verifier.Storage;

public static class KeysListCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var command = new Command("list", "List keys (never the keys themselves): id, role, name, created, revoked.") { db };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            foreach (var k in await context.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct))
                Console.WriteLine($"{k.Id} {k.Role,-8} {(k.RevokedAt is null ? "active " : "revoked")} {k.CreatedAt:yyyy-MM-dd HH:mm} {k.Name}");
            return 0;
        }));
        return command;
    }
}
