namespace Verifier.Service.Tests.Infrastructure;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;

/// <summary>
/// A TCP relay in front of PostgreSQL that a test can cut: Close() resets every open connection and refuses new ones
/// (a database outage as the service sees it), Open() lets traffic through again.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<TcpClient, TcpClient> links = new();
    private readonly CancellationTokenSource stop = new();
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private volatile bool open = true;

    private TcpGate(string host, int port) { upstreamHost = host; upstreamPort = port; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>A gate in front of the server a connection string names, and the same connection string through it.</summary>
    public static (TcpGate Gate, string ConnectionString) Before(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var gate = new TcpGate(builder.Host!, builder.Port);
        gate.listener.Start();
        _ = gate.AcceptLoopAsync();
        builder.Host = "127.0.0.1";
        builder.Port = gate.Port;
        return (gate, builder.ConnectionString);
    }

    public void Close()
    {
        open = false;
        foreach (var (a, b) in links) { Reset(a); Reset(b); }
        links.Clear();
    }

    public void Open() => open = true;

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            if (!open) { Reset(client); continue; }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(upstreamHost, upstreamPort, stop.Token);
            links[client] = upstream;
            using var both = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            await Task.WhenAny(client.GetStream().CopyToAsync(upstream.GetStream(), both.Token), upstream.GetStream().CopyToAsync(client.GetStream(), both.Token));
            await both.CancelAsync();
        }
        catch (Exception) { }
        finally
        {
            links.TryRemove(client, out _);
            Reset(client);
            Reset(upstream);
        }
    }

    private static void Reset(TcpClient c)
    {
        try { c.Client.LingerState = new LingerOption(true, 0); } catch (Exception) { }
        c.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Close();
        stop.Dispose();
    }
}
