namespace Verifier.Targets.Http;

using System.Net;
using System.Net.Sockets;
using Verifier.Core.Security;

/// <summary>A connection the outbound policy refused; the message names host and address, never a URL or key.</summary>
public sealed class OutboundRefusedException(string message) : IOException(message);

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of every target connection: resolves the host once, checks
/// EVERY address with <see cref="OutboundPolicy"/> (unless the host is allow-listed) and connects to one of exactly
/// those addresses, so a DNS answer that changes between check and connect (rebinding) is never used.
/// </summary>
public sealed class OutboundConnector(IReadOnlyCollection<string> allowedHosts, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else
        {
            try { addresses = await resolve(host, cancellationToken).ConfigureAwait(false); }
            catch (SocketException) { addresses = []; }
        }
        if (OutboundPolicy.CheckHost(host, addresses, allowedHosts) is { } problem)
            throw new OutboundRefusedException("blocked by outbound policy: " + problem);

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
