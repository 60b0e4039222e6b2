namespace Verifier.Cli.Commands;

using System.CommandLine;
using Verifier.Cli.Output;
using Verifier.Simulator;

/// <summary>`verifier simulate`: a simulated vendor (SIMULATION) on 127.0.0.1 until Ctrl+C.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var scenarioFile = new Option<string>("--scenario") { Description = "Scenario JSON (see probes/scenarios/README.md).", Required = true };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 8000 };
        var json = CliJson.Flag();
        var command = new Command("simulate", "Serve a SIMULATED OpenAI-compatible vendor as a scenario describes.") { scenarioFile, port, json };
        command.SetAction((result, ct) => CliRunner.Guard(async () =>
        {
            var scenario = Scenario.Load(result.GetValue(scenarioFile)!);
            if (result.GetValue(port) is < 0 or > 65535) throw new CliException("--port must be between 0 and 65535.");
            await using var vendor = await SimulatedVendor.StartAsync(scenario, result.GetValue(port));
            if (result.GetValue(json))
                CliJson.Print(new { simulation = true, scenario = scenario.Name, dialect = scenario.Dialect, baseUrl = vendor.BaseUrl, claimedVariant = scenario.ClaimedVariant });
            else Console.WriteLine($"SIMULATION: {scenario.Name} serving {scenario.Dialect} on {vendor.BaseUrl} (claims {scenario.ClaimedVariant}; Ctrl+C to stop)");
            try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
            return 0;
        }));
        return command;
    }
}
