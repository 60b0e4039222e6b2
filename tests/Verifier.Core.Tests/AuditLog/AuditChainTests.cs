namespace Verifier.Core.Tests.AuditLog;

using Verifier.Core.AuditLog;

/// <summary>The hash chain itself: what it covers, where it breaks, and the canonical forms that survive a jsonb round trip.</summary>
public class AuditChainTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static List<(AuditLogEntry Entry, byte[] PrevHash, byte[] Hash)> Chain(int n)
    {
        var rows = new List<(AuditLogEntry, byte[], byte[])>();
        var previous = AuditChain.Genesis;
        for (var i = 1; i <= n; i++)
        {
            var entry = new AuditLogEntry(i, T0.AddMinutes(i), null, "audit.completed", "audit", $"a{i}", AuditChain.CanonicalJson($$"""{"verdict":"consistent","n":{{i}}}"""));
            var hash = AuditChain.Hash(previous, entry);
            rows.Add((entry, previous, hash));
            previous = hash;
        }
        return rows;
    }

    [Fact]
    public void An_intact_chain_verifies_with_its_count()
    {
        var v = AuditChain.Verify(Chain(10));
        Assert.True(v.Valid);
        Assert.Equal(10, v.Entries);
        Assert.Null(v.FirstBrokenSeq);
    }

    [Theory]
    [InlineData("action")]
    [InlineData("data")]
    [InlineData("time")]
    [InlineData("key")]
    public void Changing_any_field_of_an_entry_breaks_the_chain_at_that_entry(string field)
    {
        var rows = Chain(6);
        var (e, prev, hash) = rows[3];
        var changed = field switch
        {
            "action" => e with { Action = "audit.failed" },
            "data" => e with { DataJson = AuditChain.CanonicalJson("""{"verdict":"mismatch","n":4}""") },
            "time" => e with { At = e.At.AddSeconds(1) },
            _ => e with { KeyId = Guid.NewGuid() },
        };
        rows[3] = (changed, prev, hash);
        Assert.Equal(4, AuditChain.Verify(rows).FirstBrokenSeq);
    }

    [Fact]
    public void A_recomputed_hash_breaks_the_next_link_and_a_gap_in_seq_is_found()
    {
        var rows = Chain(6);
        var (e, prev, _) = rows[2];
        var forged = e with { Action = "audit.failed" };
        rows[2] = (forged, prev, AuditChain.Hash(prev, forged)); // the forger recomputes this row's hash…
        Assert.Equal(4, AuditChain.Verify(rows).FirstBrokenSeq); // …and the next row's link no longer matches

        var gap = Chain(6);
        gap.RemoveAt(2);
        Assert.Equal(4, AuditChain.Verify(gap).FirstBrokenSeq);
    }

    [Fact]
    public void Canonical_json_ignores_key_order_and_whitespace_but_not_values()
    {
        Assert.Equal(AuditChain.CanonicalJson("""{ "b": 1, "a": {"y": [1, 2], "x": "é<>"} }"""), AuditChain.CanonicalJson("""{"a":{"x":"é<>","y":[1,2]},"b":1}"""));
        Assert.Equal("""{"a":{"x":"é<>","y":[1,2]},"b":1}""", AuditChain.CanonicalJson("""{"b":1,"a":{"y":[1,2],"x":"é<>"}}"""));
        Assert.NotEqual(AuditChain.CanonicalJson("""{"a":[1,2]}"""), AuditChain.CanonicalJson("""{"a":[2,1]}"""));
    }

    [Fact]
    public void Timestamps_are_hashed_at_the_microsecond_precision_postgresql_keeps()
    {
        var withTicks = T0.AddTicks(7); // 700 ns: below PostgreSQL's microsecond
        Assert.Equal(T0, AuditChain.Normalize(withTicks));
        var a = new AuditLogEntry(1, AuditChain.Normalize(withTicks), null, "x", "y", "z", "{}");
        var b = a with { At = T0 };
        Assert.Equal(AuditChain.Hash(AuditChain.Genesis, a), AuditChain.Hash(AuditChain.Genesis, b));
    }
}
