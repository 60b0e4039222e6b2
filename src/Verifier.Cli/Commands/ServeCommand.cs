namespace Verifier.Cli.Commands;

using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Verifier.Service;

public static class ServeCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on.", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var command = new Command("serve", "Run the HTTP API and the clustered scheduler.") { db, urls };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            var cs = CommonOptions.RequireDatabase(result, db);
            var app = VerifierApp.Build([], b =>
            {
                b.Configuration["ConnectionStrings:Verifier"] = cs;
                b.WebHost.UseUrls(result.GetValue(urls)!);
            });
            await app.StartAsync(ct);
            await app.WaitForShutdownAsync(ct);
            return 0;
        }));
        return command;
    }
}
