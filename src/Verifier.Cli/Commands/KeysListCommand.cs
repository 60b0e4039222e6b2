namespace Verifier.Cli.Commands;

using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Verifier.Cli.Output;
using Verifier.Storage;

public static class KeysListCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var json = CliJson.Flag();
        var command = new Command("list", "List keys (never the keys themselves): id, role, name, created, revoked.") { db, json };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            var keys = await context.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(ct);
            if (result.GetValue(json))
            {
                CliJson.Print(new { keys = keys.Select(k => new { id = k.Id, role = k.Role, name = k.Name, createdAt = k.CreatedAt, revokedAt = k.RevokedAt }) });
                return 0;
            }
            foreach (var k in keys)
                Console.WriteLine($"{k.Id} {k.Role,-8} {(k.RevokedAt is null ? "active " : "revoked")} {k.CreatedAt:yyyy-MM-dd HH:mm} {k.Name}");
            return 0;
        }));
        return command;
    }
}
