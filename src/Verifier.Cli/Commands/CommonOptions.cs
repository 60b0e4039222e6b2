namespace Verifier.Cli.Commands;

using System.CommandLine;

public static class CommonOptions
{
    public static Option<string?> Db() => new("--db") { Description = "Npgsql connection string (default: the VERIFIER_DB environment variable)." };

    /// <summary>Where a local ONNX model runs; parsed by OnnxDevice.Parse in the command (a bad value is one error line).</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = $"ONNX Runtime execution provider for a local model: {Verifier.Targets.Onnx.Runtime.OnnxDevice.Syntax} (auto: CUDA device 0 when usable, else the CPU with a warning). CUDA needs CUDA 13 and cuDNN 9.",
        DefaultValueFactory = _ => "cpu",
    };

    /// <summary>The database from --db or VERIFIER_DB; null when neither is set.</summary>
    public static string? Database(ParseResult result, Option<string?> db) =>
        result.GetValue(db) ?? Environment.GetEnvironmentVariable("VERIFIER_DB");

    public static string RequireDatabase(ParseResult result, Option<string?> db) =>
        Database(result, db) ?? throw new CliException("No database: pass --db \"Host=...;Database=...\" or set VERIFIER_DB.");

    /// <summary>A context with retries on transient errors and the audit-log key from VERIFIER_AUDIT_LOG_KEY or VERIFIER_ENCRYPTION_KEY.</summary>
    public static Verifier.Storage.VerifierDb OpenDb(string connectionString) =>
        new(Verifier.Storage.VerifierDb.Options(connectionString), Verifier.Core.AuditLog.AuditLogKey.FromEnvironment());
}

/// <summary>A user-facing error: printed without a stack trace, exit code 3.</summary>
public sealed class CliException(string message) : Exception(message);

public static class CliRunner
{
    /// <summary>Runs a command body, turning expected failures into a message on stderr and exit code 3.</summary>
    public static async Task<int> Guard(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is CliException or ArgumentException or InvalidOperationException or FileNotFoundException or InvalidDataException or Npgsql.NpgsqlException or UriFormatException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return ExitCodes.Error;
        }
    }
}
