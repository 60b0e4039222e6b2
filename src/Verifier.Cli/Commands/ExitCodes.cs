namespace Verifier.Cli.Commands;

/// <summary>Exit codes shared by every command (audit: 0 consistent, 1 mismatch, 2 inconclusive; 3 error).</summary>
public static class ExitCodes
{
    public const int Consistent = 0;
    public const int Mismatch = 1;
    public const int Inconclusive = 2;
    public const int Error = 3;
}
