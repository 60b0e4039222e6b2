namespace Verifier.Service.Tests.Infrastructure;

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Verifier.Core.AuditLog;
using Verifier.Storage;

/// <summary>
/// The service in-process (WebApplicationFactory) on a test database, with keys for each role. Settings can be
/// overridden per factory (a connection string through a <see cref="TcpGate"/>, short retry and heartbeat times),
/// and every log line at every level is kept in <see cref="Logs"/>.
/// </summary>
public sealed class VerifierFactory(TestDatabase database, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<VerifierSettings>
{
    public static readonly string EncryptionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    /// <summary>The key the service signs the audit-log checkpoint with (derived from the encryption key).</summary>
    public static AuditLogKey LogKey { get; } = AuditLogKey.From(null, EncryptionKey)!;

    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production"); // the real start-up checks (encryption key required) apply
        builder.UseSetting("ConnectionStrings:Verifier", database.ConnectionString);
        builder.UseSetting("Verifier:EncryptionKey", EncryptionKey);
        builder.UseSetting("Verifier:Targets:AllowedHosts", "127.0.0.1");
        builder.UseSetting("Verifier:Scheduler:CheckinSeconds", "1");
        builder.UseSetting("Verifier:NodeId", "test-node-" + database.Name);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(Logs)));
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
    }

    public VerifierDb Db() => new(VerifierDb.Options(database.ConnectionString), LogKey);

    public async Task<HttpClient> ClientAsync(string role)
    {
        await using var db = Db();
        var (_, key) = await KeyStore.CreateAsync(db, role, "test " + role, null);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

/// <summary>In-process requests have no client address; a test names one with X-Test-Client-Ip (per-client limits).</summary>
public sealed class ClientAddressFromHeader : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, following) =>
        {
            if (System.Net.IPAddress.TryParse(context.Request.Headers["X-Test-Client-Ip"].ToString(), out var ip)) context.Connection.RemoteIpAddress = ip;
            await following(context);
        });
        next(app);
    };
}

/// <summary>Every log line as "Level Category: message exception", then " {Scope=Value; ...}" with the scopes it was logged in.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines, CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new List<string>();
            provider.scopes.ForEachScope((value, list) =>
            {
                if (value is IEnumerable<KeyValuePair<string, object?>> pairs) list.AddRange(pairs.Where(p => p.Key != "{OriginalFormat}").Select(p => $"{p.Key}={p.Value}"));
                else list.Add(value?.ToString() ?? "");
            }, scope);
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}" + (scope.Count == 0 ? "" : " {" + string.Join("; ", scope) + "}"));
        }
    }
}
