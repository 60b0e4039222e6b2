namespace Verifier.Core.Security;

using System.Security.Cryptography;
using System.Text;

/// <summary>AES-256-GCM for vendor API keys at rest: output is nonce(12) || tag(16) || ciphertext.</summary>
public sealed class SecretBox
{
    private readonly byte[] key;

    public SecretBox(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("The encryption key must be 32 bytes (base64 of 32 random bytes).", nameof(key));
        this.key = key;
    }

    public static SecretBox FromBase64(string? base64, string settingName)
    {
        if (string.IsNullOrWhiteSpace(base64)) throw new InvalidOperationException($"{settingName} is not set: give it a base64 string of 32 random bytes (e.g. `openssl rand -base64 32`).");
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64); }
        catch (FormatException) { throw new InvalidOperationException($"{settingName} is not valid base64."); }
        if (bytes.Length != 32) throw new InvalidOperationException($"{settingName} must decode to 32 bytes, not {bytes.Length}.");
        return new SecretBox(bytes);
    }

    public byte[] Seal(string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[12 + 16 + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(nonce, plain, output.AsSpan(28), output.AsSpan(12, 16));
        return output;
    }

    public string Open(byte[] sealedBytes)
    {
        if (sealedBytes.Length < 28) throw new CryptographicException("Sealed secret is too short.");
        var plain = new byte[sealedBytes.Length - 28];
        using var gcm = new AesGcm(key, 16);
        gcm.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(28), sealedBytes.AsSpan(12, 16), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
