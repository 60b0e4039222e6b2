namespace Verifier.Targets.Http;

/// <summary>
/// Where and how to reach a target. BaseUrl is the server root ("http://host:8000/"); the paths are those of
/// <see cref="ITargetApi"/>. The API key is only ever written into the Authorization header.
/// </summary>
public sealed record TargetEndpoint(Uri BaseUrl, string Model, TargetDialect Dialect, string? ApiKey = null)
{
    public Uri Resolve(string path)
    {
        var root = BaseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri(root + "/" + path.TrimStart('/'));
    }

    /// <summary>Never print the key.</summary>
    public override string ToString() => $"{Dialects.Name(Dialect)} {BaseUrl} model={Model}";
}

/// <summary>Retry, timeout and size policy of the client.</summary>
public sealed record ClientOptions
{
    /// <summary>Attempts per request including the first.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>First backoff delay (Polly's exponential backoff with jitter) and the most any backoff waits.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A Retry-After longer than this is not waited for: the request fails instead.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one attempt (headers and whole body / stream); never beyond the audit's wall-time deadline.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most response body bytes read and stored per attempt; more is a failed exchange (enforced while reading).</summary>
    public int MaxResponseBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Most SSE events ("data:" lines) per streamed reply.</summary>
    public int MaxStreamEvents { get; init; } = 20_000;

    /// <summary>Most characters of content plus reasoning per reply.</summary>
    public int MaxReplyCharacters { get; init; } = 1_000_000;

    /// <summary>Requests in flight at once to one host (scheme, host, port) from this process, so a slow vendor cannot hold every worker.</summary>
    public int MaxConcurrentPerHost { get; init; } = 4;

    /// <summary>Seed of the backoff jitter, so retry timing is reproducible.</summary>
    public int JitterSeed { get; init; } = 1;
}

/// <summary>
/// Requests and wall time an audit may still spend, shared by every call of the audit (thread-safe). Each attempt,
/// retries included, takes one request; when exhausted, calls fail without sending.
/// </summary>
public sealed class AttemptBudget(int maxRequests, DateTimeOffset deadline, TimeProvider? time = null)
{
    private int remaining = maxRequests;
    private readonly TimeProvider time = time ?? TimeProvider.System;

    public static AttemptBudget Unlimited => new(int.MaxValue, DateTimeOffset.MaxValue);

    public int Remaining => Volatile.Read(ref remaining);
    public DateTimeOffset Deadline => deadline;
    public bool Expired => time.GetUtcNow() >= deadline;

    public bool TryTake()
    {
        if (Expired) return false;
        while (true)
        {
            var r = Volatile.Read(ref remaining);
            if (r <= 0) return false;
            if (Interlocked.CompareExchange(ref remaining, r - 1, r) == r) return true;
        }
    }
}
