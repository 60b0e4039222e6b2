namespace Verifier.Core.AuditLog;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

/// <summary>
/// The tamper-evident chain: hash = sha256(previous hash || canonical entry), the first previous hash being 32 zero
/// bytes. Timestamps are truncated to microseconds so the value read back from PostgreSQL hashes the same.
/// </summary>
public static class AuditChain
{
    public static byte[] Genesis { get; } = new byte[32];

    public static DateTimeOffset Normalize(DateTimeOffset at) =>
        new DateTimeOffset(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    public static string Canonical(AuditLogEntry e) => string.Join('\n',
        e.Seq.ToString(CultureInfo.InvariantCulture),
        Normalize(e.At).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        e.KeyId?.ToString("D") ?? "",
        e.Action,
        e.EntityType,
        e.EntityId,
        CanonicalJson(e.DataJson));

    public static byte[] Hash(byte[] previousHash, AuditLogEntry entry)
    {
        var body = Encoding.UTF8.GetBytes(Canonical(entry));
        var buffer = new byte[previousHash.Length + body.Length];
        previousHash.CopyTo(buffer, 0);
        body.CopyTo(buffer, previousHash.Length);
        return SHA256.HashData(buffer);
    }

    /// <summary>Recomputes the chain over entries in seq order; names the first entry whose hash, link or sequence is wrong.</summary>
    public static ChainVerification Verify(IEnumerable<(AuditLogEntry Entry, byte[] PrevHash, byte[] Hash)> rows)
    {
        var previous = Genesis;
        long count = 0, expectedSeq = 1;
        foreach (var (entry, prevHash, hash) in rows)
        {
            count++;
            var ok = entry.Seq == expectedSeq
                && prevHash.AsSpan().SequenceEqual(previous)
                && hash.AsSpan().SequenceEqual(Hash(previous, entry));
            if (!ok) return new ChainVerification(false, count, entry.Seq);
            previous = hash;
            expectedSeq++;
        }
        return new ChainVerification(true, count, null);
    }

    /// <summary>JSON with object keys sorted (ordinal) and no insignificant whitespace, so jsonb round trips hash the same.</summary>
    public static string CanonicalJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, doc.RootElement);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    w.WritePropertyName(p.Name);
                    Write(w, p.Value);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) Write(w, item);
                w.WriteEndArray();
                break;
            case JsonValueKind.Number:
                w.WriteRawValue(e.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : e.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}
