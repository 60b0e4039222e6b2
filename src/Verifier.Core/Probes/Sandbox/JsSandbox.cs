namespace Verifier.Core.Probes.Sandbox;

using Jint;
using Jint.Runtime;

/// <summary>Result of running model-written JavaScript: the value or the reason it was stopped.</summary>
public sealed record SandboxResult(bool Ok, string? Value, string? Error, string? Limit);

/// <summary>
/// Runs untrusted JavaScript in Jint with hard limits (time, memory, statements, recursion) and no CLR access or
/// I/O. Each run gets a fresh engine, so nothing leaks between probes.
/// </summary>
public static class JsSandbox
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public const long MemoryBytes = 32_000_000;
    public const int MaxStatements = 2_000_000;
    public const int MaxRecursion = 400;

    /// <summary>Evaluates <paramref name="program"/> then <paramref name="expression"/>; the value is returned as JSON text.</summary>
    public static SandboxResult Run(string program, string expression)
    {
        var engine = new Engine(o => o
            .TimeoutInterval(Timeout)
            .LimitMemory(MemoryBytes)
            .MaxStatements(MaxStatements)
            .LimitRecursion(MaxRecursion)
            .Strict(false));
        try
        {
            engine.Execute(program);
            var value = engine.Evaluate($"JSON.stringify({expression})");
            return new SandboxResult(true, value.IsUndefined() ? "undefined" : value.AsString(), null, null);
        }
        catch (TimeoutException) { return new SandboxResult(false, null, "timed out", "time"); }
        catch (MemoryLimitExceededException) { return new SandboxResult(false, null, "memory limit exceeded", "memory"); }
        catch (StatementsCountOverflowException) { return new SandboxResult(false, null, "statement limit exceeded", "statements"); }
        catch (RecursionDepthOverflowException) { return new SandboxResult(false, null, "recursion limit exceeded", "recursion"); }
        catch (JavaScriptException e) { return new SandboxResult(false, null, "script error: " + e.Message, null); }
        catch (Acornima.SyntaxErrorException e) { return new SandboxResult(false, null, "syntax error: " + e.Message, null); }
        catch (Exception e) when (e is ExecutionCanceledException or InvalidOperationException or ArgumentException or JintException)
        {
            return new SandboxResult(false, null, e.GetType().Name + ": " + e.Message, null);
        }
    }
}
