using System.CommandLine;
using Verifier.Cli.Commands;

var root = new RootCommand("R1 Verifier: which DeepSeek-R1 variant really answers an endpoint or sits in an ONNX file.");
var bench = new Command("bench", "Benchmarks that print measured figures.");
root.Subcommands.Add(bench);
root.Subcommands.Add(InspectCommand.Create());
bench.Subcommands.Add(BenchOnnxCommand.Create());
// Each command lives in Commands/<Name>Command.cs and exposes Create().
root.Subcommands.Add(MigrateCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(ReferenceCommand.Create());
root.Subcommands.Add(RescoreCommand.Create());
root.Subcommands.Add(PruneCommand.Create());
bench.Subcommands.Add(BenchTokenizerCommand.Create());
bench.Subcommands.Add(BenchAccuracyCommand.Create());
bench.Subcommands.Add(BenchServiceCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(DemoCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine("error: " + error.Message);
    Console.Error.WriteLine("Run 'verifier --help' for usage.");
    return ExitCodes.Error; // not 1: that exit code means "mismatch" for audits
}
return await parsed.InvokeAsync();
