namespace Verifier.Service;

/// <summary>
/// The node's Hangfire server, Verifier:Scheduler:*. PollInterval is how soon an idle worker sees a new job (Hangfire's
/// 15 s default makes a spot check wait); InvisibilityTimeout is how long after its node's last keep-alive a job is
/// handed to another node (sliding, so a long audit on a live node is never handed out twice).
/// </summary>
public sealed record JobServerSettings(int Workers, TimeSpan PollInterval, TimeSpan InvisibilityTimeout)
{
    public static JobServerSettings Default { get; } = new(4, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    public static JobServerSettings From(IConfiguration config) => new(
        config.GetValue("Verifier:Scheduler:Workers", Default.Workers),
        TimeSpan.FromSeconds(config.GetValue("Verifier:Scheduler:PollSeconds", Default.PollInterval.TotalSeconds)),
        TimeSpan.FromSeconds(config.GetValue("Verifier:Scheduler:InvisibilitySeconds", Default.InvisibilityTimeout.TotalSeconds)));
}
