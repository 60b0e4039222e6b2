namespace Verifier.Targets.Http;

using System.Collections.Concurrent;

/// <summary>
/// A semaphore per target (scheme, host, port) shared by every client in the process, so one slow or hanging vendor
/// holds at most <see cref="ClientOptions.MaxConcurrentPerHost"/> requests in flight and cannot starve other targets.
/// </summary>
public static class HostGates
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.OrdinalIgnoreCase);

    public static SemaphoreSlim For(Uri url, int limit)
    {
        var max = Math.Max(1, limit);
        return Gates.GetOrAdd($"{url.GetLeftPart(UriPartial.Authority)}#{max}", _ => new SemaphoreSlim(max, max));
    }
}
