namespace Verifier.Cli.Commands;

using System.CommandLine;
using Verifier.Cli.Output;
using Verifier.Core.Security;
using Verifier.Storage;

public static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Service API keys.");

        var db = CommonOptions.Db();
        var role = new Option<string>("--role") { Description = "admin, auditor or viewer.", Required = true };
        role.AcceptOnlyFromAmong(ApiKeys.Roles);
        var name = new Option<string>("--name") { Description = "Who or what the key is for.", Required = true };
        var json = CliJson.Flag();
        var create = new Command("create", "Create a key; it is printed once, alone on the last line (with --json, as \"key\").") { db, role, name, json };
        create.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            var (row, key) = await KeyStore.CreateAsync(context, result.GetValue(role)!, result.GetValue(name)!, null, ct);
            if (result.GetValue(json)) CliJson.Print(new { id = row.Id, role = row.Role, name = row.Name, createdAt = row.CreatedAt, key });
            else
            {
                Console.WriteLine($"created {row.Role} key {row.Id} ({row.Name}); it is shown once:");
                Console.WriteLine(key);
            }
            return 0;
        }));

        var db2 = CommonOptions.Db();
        var id = new Argument<string>("id") { Description = "The key's id (printed when it was created)." };
        var json2 = CliJson.Flag();
        var revoke = new Command("revoke", "Revoke a key.") { db2, id, json2 };
        revoke.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            if (!Guid.TryParse(result.GetValue(id), out var guid)) throw new CliException($"'{result.GetValue(id)}' is not a key id (a UUID).");
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db2));
            if (!await KeyStore.RevokeAsync(context, guid, null, ct)) throw new CliException($"No key {guid}.");
            if (result.GetValue(json2)) CliJson.Print(new { id = guid, revoked = true });
            else Console.WriteLine($"revoked {guid}");
            return 0;
        }));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(revoke);
        keys.Subcommands.Add(KeysListCommand.Create());
        return keys;
    }
}
