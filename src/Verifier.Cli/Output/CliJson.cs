namespace Verifier.Cli.Output;

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>`--json`: the command's result as one JSON document on standard output, camelCase names; errors stay a message on standard error.</summary>
public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Option<bool> Flag() => new("--json") { Description = "Print the result as one JSON document (camelCase) instead of text." };

    public static void Print(object value) => Console.WriteLine(JsonSerializer.Serialize(value, Options));

    /// <summary>A measured figure that may be missing (NaN, infinite) as null: JSON has no NaN.</summary>
    public static double? Figure(double value) => double.IsFinite(value) ? value : null;
}
