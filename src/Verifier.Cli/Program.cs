using System.CommandLine;
using Verifier.Cli.Commands;

var root = new RootCommand("R1 Verifier: which DeepSeek-R1 variant really answers an endpoint or sits in an ONNX file.");
var bench = new Command("bench", "Benchmarks that print measured figures.");
root.Subcommands.Add(bench);
root.Subcommands.Add(InspectCommand.Create());
bench.Subcommands.Add(BenchOnnxCommand.Create());
// Each command lives in Commands/<Name>Command.cs and exposes Create().

return await root.Parse(args).InvokeAsync();
