namespace Verifier.Cli.Commands;

using System.CommandLine;
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
        var create = new Command("create", "Create a key; it is printed once, alone on the last line.") { db, role, name };
        create.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db));
            var (row, key) = await KeyStore.CreateAsync(context, result.GetValue(role)!, result.GetValue(name)!, null, ct);
            Console.WriteLine($"created {row.Role} key {row.Id} ({row.Name}); it is shown once:");
            Console.WriteLine(key);
            return 0;
        }));

        var db2 = CommonOptions.Db();
        var id = new Argument<string>("id") { Description = "The key's id (printed when it was created)." };
        var revoke = new Command("revoke", "Revoke a key.") { db2, id };
        revoke.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            if (!Guid.TryParse(result.GetValue(id), out var guid)) throw new CliException($"'{result.GetValue(id)}' is not a key id (a UUID).");
            await using var context = CommonOptions.OpenDb(CommonOptions.RequireDatabase(result, db2));
            if (!await KeyStore.RevokeAsync(context, guid, null, ct)) throw new CliException($"No key {guid}.");
            Console.WriteLine($"revoked {guid}");
            return 0;
        }));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(revoke);
        keys.Subcommands.Add(KeysListCommand.Create());
        return keys;
    }
}
