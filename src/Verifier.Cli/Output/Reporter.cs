namespace Verifier.Cli.Output;

/// <summary>
/// An IProgress that reports on the caller's thread, in order: System.Progress posts each report to the thread pool,
/// so its lines may arrive out of order or after the command has printed its result.
/// </summary>
public sealed class Reporter<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
