namespace Verifier.Core.AuditLog;

using System.Security.Cryptography;
using System.Text;

/// <summary>
/// The server key that signs the audit log's head checkpoint. Never printed: ToString names no bytes. Configured
/// explicitly, or derived (HKDF-SHA256, its own label) from the key that encrypts vendor API keys.
/// </summary>
public sealed class AuditLogKey
{
    private const string Label = "r1-verifier audit-log checkpoint v1";
    private readonly byte[] key;

    private AuditLogKey(byte[] key) => this.key = key;

    /// <summary>
    /// An explicit key (base64, at least 32 bytes) wins; else one derived from the encryption key (base64 of 32 bytes,
    /// as SecretBox takes it); else null. Setting names appear in errors, values never.
    /// </summary>
    public static AuditLogKey? From(string? explicitBase64, string? encryptionKeyBase64)
    {
        if (!string.IsNullOrWhiteSpace(explicitBase64))
            return new AuditLogKey(Decode(explicitBase64, "Verifier:AuditLogKey (or VERIFIER_AUDIT_LOG_KEY)", 32));
        if (string.IsNullOrWhiteSpace(encryptionKeyBase64)) return null;
        var encryptionKey = Decode(encryptionKeyBase64, "Verifier:EncryptionKey (or VERIFIER_ENCRYPTION_KEY)", 32);
        return new AuditLogKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, encryptionKey, 32, salt: [], info: Encoding.UTF8.GetBytes(Label)));
    }

    /// <summary>From VERIFIER_AUDIT_LOG_KEY or VERIFIER_ENCRYPTION_KEY (the command line's way).</summary>
    public static AuditLogKey? FromEnvironment() =>
        From(Environment.GetEnvironmentVariable("VERIFIER_AUDIT_LOG_KEY"), Environment.GetEnvironmentVariable("VERIFIER_ENCRYPTION_KEY"));

    private static byte[] Decode(string base64, string settingName, int minLength)
    {
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidOperationException($"{settingName} is not valid base64."); }
        if (bytes.Length < minLength) throw new InvalidOperationException($"{settingName} must decode to at least {minLength} bytes, not {bytes.Length}.");
        return bytes;
    }

    public byte[] Sign(byte[] message) => HMACSHA256.HashData(key, message);

    public override string ToString() => "AuditLogKey(***)";
}
