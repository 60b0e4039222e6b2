namespace Verifier.Cli.Tests;

using System.Diagnostics;

/// <summary>The built `verifier` command run as a user runs it, standard error redirected (so progress is in its plain-line mode).</summary>
public static class CliProcess
{
    public static async Task<(int Code, string Out, string Err)> Run(string? stdin, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "verifier.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        info.Environment.Remove("VERIFIER_DB");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        return (p.ExitCode, await output, await error);
    }

    public static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Verifier.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Repository root (Verifier.sln) not found.");
    }
}
