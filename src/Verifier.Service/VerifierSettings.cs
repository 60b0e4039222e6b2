namespace Verifier.Service;

using Verifier.Core.Security;

/// <summary>Configuration read once at start-up. Problems are start-up errors, not request-time surprises.</summary>
public sealed record VerifierSettings(
    string ConnectionString,
    SecretBox Secrets,
    IReadOnlyCollection<string> AllowedHosts,
    string NodeId,
    TimeSpan CheckinInterval,
    bool SchedulerEnabled,
    long MaxBodyBytes)
{
    /// <summary>Connection limits of target clients (allowed hosts, header size), Verifier:Targets:*.</summary>
    public Verifier.Targets.Http.TargetNetworkOptions TargetNetwork { get; init; } = new() { AllowedHosts = AllowedHosts };

    /// <summary>Caps and timeouts of every target request, Verifier:Targets:*.</summary>
    public Verifier.Targets.Http.ClientOptions TargetClient { get; init; } = new();

    public static VerifierSettings From(IConfiguration config, IHostEnvironment env)
    {
        var cs = config.GetConnectionString("Verifier") ?? Environment.GetEnvironmentVariable("VERIFIER_DB")
            ?? throw new InvalidOperationException("No database configured: set VERIFIER_DB (an Npgsql connection string) or ConnectionStrings:Verifier.");
        var keySetting = config["Verifier:EncryptionKey"] ?? Environment.GetEnvironmentVariable("VERIFIER_ENCRYPTION_KEY");
        SecretBox secrets;
        if (string.IsNullOrWhiteSpace(keySetting) && !env.IsProduction())
            secrets = new SecretBox(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)); // dev/test only: keys stored now are unreadable after a restart
        else
            secrets = SecretBox.FromBase64(keySetting, "Verifier:EncryptionKey (or VERIFIER_ENCRYPTION_KEY)");
        var hosts = config.GetSection("Verifier:Targets:AllowedHosts").Get<string[]>()
            ?? (config["Verifier:Targets:AllowedHosts"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new VerifierSettings(
            cs,
            secrets,
            hosts,
            config["Verifier:NodeId"] ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            TimeSpan.FromSeconds(config.GetValue("Verifier:Scheduler:CheckinSeconds", 5.0)),
            config.GetValue("Verifier:Scheduler:Enabled", true),
            config.GetValue("Verifier:MaxBodyBytes", 1_048_576L))
        {
            TargetNetwork = NetworkOptions(config, hosts),
            TargetClient = ClientOptions(config),
        };
    }

    private static Verifier.Targets.Http.TargetNetworkOptions NetworkOptions(IConfiguration config, IReadOnlyCollection<string> hosts)
    {
        var defaults = new Verifier.Targets.Http.TargetNetworkOptions();
        return defaults with
        {
            AllowedHosts = hosts,
            MaxResponseHeadersKilobytes = Positive(config, "Verifier:Targets:MaxResponseHeadersKilobytes", defaults.MaxResponseHeadersKilobytes),
        };
    }

    private static Verifier.Targets.Http.ClientOptions ClientOptions(IConfiguration config)
    {
        var defaults = new Verifier.Targets.Http.ClientOptions();
        return defaults with
        {
            MaxResponseBytes = Positive(config, "Verifier:Targets:MaxResponseBytes", defaults.MaxResponseBytes),
            MaxStreamEvents = Positive(config, "Verifier:Targets:MaxStreamEvents", defaults.MaxStreamEvents),
            MaxReplyCharacters = Positive(config, "Verifier:Targets:MaxReplyCharacters", defaults.MaxReplyCharacters),
            MaxConcurrentPerHost = Positive(config, "Verifier:Targets:MaxConcurrentPerHost", defaults.MaxConcurrentPerHost),
            AttemptTimeout = TimeSpan.FromSeconds(Positive(config, "Verifier:Targets:AttemptTimeoutSeconds", (int)defaults.AttemptTimeout.TotalSeconds)),
        };
    }

    private static int Positive(IConfiguration config, string key, int fallback)
    {
        var value = config.GetValue(key, fallback);
        return value > 0 ? value : throw new InvalidOperationException($"{key} must be a positive number (got {value}).");
    }
}
