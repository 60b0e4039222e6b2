namespace Verifier.Cli.Output;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Verifier.Core.Audits;

/// <summary>
/// Progress of a long command, on standard error only so standard output (the result) is the same with or without it:
/// live (Spectre) when standard error is a terminal, a plain line now and then when it is not (CI logs), nothing with
/// --quiet. Updates may come from any thread; each is a phase, a detail and how far (done of total).
/// </summary>
public sealed class CliProgress
{
    private enum Mode { Off, Lines, Live }

    private readonly Mode mode;
    private readonly TimeSpan interval;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Lock gate = new();
    private ProgressTask? task;
    private string? phase;
    private TimeSpan phaseStarted;
    private double phaseStartDone;
    private TimeSpan lastLine = TimeSpan.MinValue;
    private string? closing;

    private CliProgress(Mode mode, TimeSpan interval) => (this.mode, this.interval) = (mode, interval);

    public static Option<bool> QuietOption() => new("--quiet") { Description = "No progress on standard error (standard output is the same either way)." };

    /// <summary>
    /// Runs <paramref name="body"/> with progress. Without a terminal, a line at most every VERIFIER_PROGRESS_SECONDS
    /// (default 5; 0: every update) and at each new phase.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult result, Option<bool> quiet, Func<CliProgress, Task<int>> body)
    {
        if (result.GetValue(quiet)) return await body(new CliProgress(Mode.Off, TimeSpan.Zero));
        if (Console.IsErrorRedirected)
        {
            var seconds = double.TryParse(Environment.GetEnvironmentVariable("VERIFIER_PROGRESS_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0 ? s : 5;
            return await body(new CliProgress(Mode.Lines, TimeSpan.FromSeconds(seconds)));
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var progress = new CliProgress(Mode.Live, TimeSpan.Zero);
        // Standard output on the same terminal goes through the live display, which keeps it above the bar; redirected, it is untouched.
        var stdout = Console.Out;
        if (!Console.IsOutputRedirected) Console.SetOut(new LiveConsoleWriter(console));
        try
        {
            return await console.Progress().AutoClear(true)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    progress.task = context.AddTask("starting", autoStart: true, maxValue: 1);
                    return await body(progress);
                });
        }
        finally
        {
            Console.Out.Flush();
            Console.SetOut(stdout);
            if (progress.closing is { } line) Console.Error.WriteLine(line);
        }
    }

    /// <summary>Where the command stands: <paramref name="phase"/> (a new one restarts the ETA clock), a detail, done of total.</summary>
    public void Update(string phase, string detail, double done, double total, bool eta = false)
    {
        if (mode == Mode.Off) return;
        lock (gate)
        {
            var now = clock.Elapsed;
            var newPhase = phase != this.phase;
            if (newPhase) (this.phase, phaseStarted, phaseStartDone) = (phase, now, done);
            var text = $"{phase}: {detail}";
            // The rate since the phase's first report: what was done before it (and its start-up) says nothing about speed.
            if (eta && done > phaseStartDone && done < total)
                text += $", ETA {Span(TimeSpan.FromTicks((long)((now - phaseStarted).Ticks / (done - phaseStartDone) * (total - done))))}";
            if (mode == Mode.Live && task is { } t)
            {
                t.Description = Markup.Escape(text);
                t.MaxValue = Math.Max(total, 1e-9);
                t.Value = Math.Min(done, total);
            }
            else if (mode == Mode.Lines && (newPhase || now - lastLine >= interval))
            {
                lastLine = now;
                Console.Error.WriteLine($"progress: {text}, {Span(now)} elapsed");
            }
        }
    }

    /// <summary>The closing line (e.g. the verdict); on a terminal it is printed once the live display is gone.</summary>
    public void Done(string line)
    {
        if (mode == Mode.Off) return;
        lock (gate)
        {
            var text = $"progress: {line}, {Span(clock.Elapsed)}";
            if (mode == Mode.Live) closing = text;
            else Console.Error.WriteLine(text);
        }
    }

    /// <summary>An audit's own progress: requests spent of the budget and the probe running.</summary>
    public IProgress<AuditProgress> Audit(string phase, string? prefix = null) => new AuditReporter(this, phase, prefix);

    private sealed class AuditReporter(CliProgress owner, string phase, string? prefix) : IProgress<AuditProgress>
    {
        public void Report(AuditProgress p) => owner.Update(phase,
            $"{prefix}{p.Requests}/{p.MaxRequests} requests, {(p.Finished ? "ran" : "running")} {p.ProbeId} ({p.Category.ToLowerInvariant()})", p.Requests, p.MaxRequests);
    }

    private static string Span(TimeSpan t) => t.TotalSeconds < 60 ? $"{(int)t.TotalSeconds}s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{(int)t.TotalHours}h{t.Minutes:00}m";

    /// <summary>Standard output written line by line through the live display while it runs.</summary>
    private sealed class LiveConsoleWriter(IAnsiConsole console) : TextWriter
    {
        private readonly StringBuilder line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n') Emit();
            else if (value != '\r') line.Append(value);
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "") Write(c);
        }

        public override void Flush()
        {
            if (line.Length > 0) Emit();
        }

        private void Emit()
        {
            console.WriteLine(line.ToString(), Style.Plain);
            line.Clear();
        }
    }
}
