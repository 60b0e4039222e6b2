namespace Verifier.Service.Tests.Infrastructure;

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

/// <summary>A real `verifier serve` process (the built CLI) on its own port: a cluster node that a test can kill outright.</summary>
public sealed class ServiceNode : IAsyncDisposable
{
    private readonly Process process;
    public string Name { get; }
    public string BaseUrl { get; }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();

    private ServiceNode(Process process, string name, string baseUrl) { this.process = process; Name = name; BaseUrl = baseUrl; }

    /// <summary>The node's last lines of output, for a failing test's message.</summary>
    public string OutputTail => string.Join('\n', output.TakeLast(60));

    private void Keep(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 500) output.TryDequeue(out _);
    }

    public static async Task<ServiceNode> StartAsync(string name, string connectionString, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "verifier.dll"), "serve", "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["VERIFIER_DB"] = connectionString;
        info.Environment["VERIFIER_ENCRYPTION_KEY"] = VerifierFactory.EncryptionKey;
        info.Environment["Verifier__Targets__AllowedHosts"] = "127.0.0.1";
        info.Environment["Verifier__Scheduler__CheckinSeconds"] = "1";
        info.Environment["Verifier__NodeId"] = name;
        info.Environment["Verifier__Audits__HeartbeatSeconds"] = "0.5";
        info.Environment["Verifier__Audits__StaleSeconds"] = "5"; // a killed node's audit is taken back within seconds
        info.Environment["Verifier__Scheduler__InvisibilitySeconds"] = "10"; // and Hangfire hands its job out again soon after
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info)!;
        var node = new ServiceNode(process, name, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var i = 0; i < 150; i++)
        {
            try
            {
                if ((await http.GetAsync(node.BaseUrl + "/health/ready")).StatusCode == HttpStatusCode.OK) return node;
            }
            catch (HttpRequestException) { }
            if (process.HasExited) throw new InvalidOperationException($"node {name} exited with {process.ExitCode}");
            await Task.Delay(200);
        }
        throw new TimeoutException($"node {name} did not become ready");
    }

    /// <summary>SIGKILL: no graceful shutdown, no chance to finish or release anything.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
