namespace Verifier.Core.AuditLog;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

/// <summary>The head of the chain as stored: last seq, its hash, how many entries, and the signature over the three.</summary>
public sealed record AuditCheckpoint(long Seq, byte[] Hash, long Entries, byte[]? Signature)
{
    public static byte[] Message(long seq, byte[] hash, long entries) => Encoding.UTF8.GetBytes(string.Join('\n',
        "r1-verifier audit-log checkpoint v1", seq.ToString(CultureInfo.InvariantCulture), Convert.ToHexStringLower(hash), entries.ToString(CultureInfo.InvariantCulture)));

    public static AuditCheckpoint Signed(long seq, byte[] hash, long entries, AuditLogKey key) => new(seq, hash, entries, key.Sign(Message(seq, hash, entries)));

    public bool SignatureValid(AuditLogKey key) =>
        Signature is { } s && CryptographicOperations.FixedTimeEquals(s, key.Sign(Message(Seq, Hash, Entries)));
}
