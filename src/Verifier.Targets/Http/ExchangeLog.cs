namespace Verifier.Targets.Http;

using Verifier.Core.Exchanges;

/// <summary>Hands out exchange sequence numbers and keeps every exchange of an audit in order (thread-safe).</summary>
public sealed class ExchangeLog
{
    private readonly object gate = new();
    private readonly List<Exchange> exchanges = [];
    private int next;

    public ExchangeLog(int firstSequence = 1) => next = firstSequence;

    public int NextSequence() => Interlocked.Increment(ref next) - 1;

    public void Add(Exchange exchange)
    {
        lock (gate) exchanges.Add(exchange);
    }

    public IReadOnlyList<Exchange> Snapshot()
    {
        lock (gate) return exchanges.OrderBy(e => e.Sequence).ToList();
    }
}
