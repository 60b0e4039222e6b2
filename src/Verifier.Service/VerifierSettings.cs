namespace Verifier.Service;

using Verifier.Core.AuditLog;
using Verifier.Core.Security;
using Verifier.Storage;

/// <summary>Configuration read once at start-up. Problems are start-up errors, not request-time surprises.</summary>
public sealed record VerifierSettings(
    string ConnectionString,
    SecretBox Secrets,
    AuditLogKey LogKey,
    IReadOnlyCollection<string> AllowedHosts,
    string NodeId,
    TimeSpan CheckinInterval,
    bool SchedulerEnabled,
    long MaxBodyBytes,
    DbRetry DbRetry,
    AuditRecoverySettings Recovery,
    int FailedAuthPerMinute)
{
    /// <summary>Connection limits of target clients (allowed hosts, header size), Verifier:Targets:*.</summary>
    public Verifier.Targets.Http.TargetNetworkOptions TargetNetwork { get; init; } = new() { AllowedHosts = AllowedHosts };

    /// <summary>Caps and timeouts of every target request, Verifier:Targets:*.</summary>
    public Verifier.Targets.Http.ClientOptions TargetClient { get; init; } = new();

    /// <summary>The node's job server (workers, polling, invisibility timeout), Verifier:Scheduler:*.</summary>
    public JobServerSettings Jobs { get; init; } = JobServerSettings.Default;

    /// <summary>Where local `onnx` targets run, Verifier:Onnx:Device (cpu, cuda, cuda:N or auto; default cpu).</summary>
    public Verifier.Targets.Onnx.Runtime.OnnxDevice OnnxDevice { get; init; }

    public static VerifierSettings From(IConfiguration config, IHostEnvironment env)
    {
        var cs = config.GetConnectionString("Verifier") ?? Environment.GetEnvironmentVariable("VERIFIER_DB")
            ?? throw new InvalidOperationException("No database configured: set VERIFIER_DB (an Npgsql connection string) or ConnectionStrings:Verifier.");
        var keySetting = config["Verifier:EncryptionKey"] ?? Environment.GetEnvironmentVariable("VERIFIER_ENCRYPTION_KEY");
        if (string.IsNullOrWhiteSpace(keySetting) && !env.IsProduction())
            keySetting = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)); // dev/test only: keys stored now are unreadable after a restart
        var secrets = SecretBox.FromBase64(keySetting, "Verifier:EncryptionKey (or VERIFIER_ENCRYPTION_KEY)");
        var logKey = AuditLogKey.From(config["Verifier:AuditLogKey"] ?? Environment.GetEnvironmentVariable("VERIFIER_AUDIT_LOG_KEY"), keySetting)!;
        var hosts = config.GetSection("Verifier:Targets:AllowedHosts").Get<string[]>()
            ?? (config["Verifier:Targets:AllowedHosts"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new VerifierSettings(
            cs,
            secrets,
            logKey,
            hosts,
            config["Verifier:NodeId"] ?? $"{Environment.MachineName}-{Environment.ProcessId}",
            TimeSpan.FromSeconds(config.GetValue("Verifier:Scheduler:CheckinSeconds", 5.0)),
            config.GetValue("Verifier:Scheduler:Enabled", true),
            config.GetValue("Verifier:MaxBodyBytes", 1_048_576L),
            new DbRetry(config.GetValue("Verifier:Database:MaxRetries", DbRetry.Default.MaxRetries),
                TimeSpan.FromSeconds(config.GetValue("Verifier:Database:MaxRetryDelaySeconds", DbRetry.Default.MaxDelay.TotalSeconds))),
            new AuditRecoverySettings(
                TimeSpan.FromSeconds(config.GetValue("Verifier:Audits:HeartbeatSeconds", 5.0)),
                TimeSpan.FromSeconds(config.GetValue("Verifier:Audits:StaleSeconds", 60.0)),
                config.GetValue("Verifier:Audits:MaxAttempts", 3)),
            config.GetValue("Verifier:Auth:FailedAttemptsPerMinute", 20))
        {
            TargetNetwork = NetworkOptions(config, hosts),
            TargetClient = ClientOptions(config),
            Jobs = JobServerSettings.From(config),
            OnnxDevice = Verifier.Targets.Onnx.Runtime.OnnxDevice.TryParse(config["Verifier:Onnx:Device"] ?? "cpu", out var device) ? device
                : throw new InvalidOperationException($"Verifier:Onnx:Device must be {Verifier.Targets.Onnx.Runtime.OnnxDevice.Syntax} (got '{config["Verifier:Onnx:Device"]}')."),
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

/// <summary>
/// How the runner proves an audit is alive (heartbeat) and when the reaper takes it back: a running audit whose heartbeat
/// is older than StaleAfter is re-queued, or failed once it has been attempted MaxAttempts times.
/// </summary>
public sealed record AuditRecoverySettings(TimeSpan HeartbeatInterval, TimeSpan StaleAfter, int MaxAttempts);
