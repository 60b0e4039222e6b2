namespace Verifier.Core.Tests.Security;

using System.Security.Cryptography;
using System.Text;
using Verifier.Core.Security;

/// <summary>Vendor API keys at rest: sealed with AES-256-GCM, never readable without the key, never leaked in errors.</summary>
public class SecretBoxTests
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private const string Secret = "sk-canary-0123456789";

    [Fact]
    public void Sealed_secrets_open_again_and_never_contain_the_plaintext()
    {
        var box = new SecretBox(Key);
        var sealedBytes = box.Seal(Secret);
        Assert.Equal(Secret, box.Open(sealedBytes));
        Assert.Equal(12 + 16 + Encoding.UTF8.GetByteCount(Secret), sealedBytes.Length);
        Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(sealedBytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_seal_uses_a_fresh_nonce()
    {
        var box = new SecretBox(Key);
        var seals = Enumerable.Range(0, 100).Select(_ => Convert.ToHexString(box.Seal(Secret).AsSpan(0, 12))).ToHashSet();
        Assert.Equal(100, seals.Count);
    }

    [Fact]
    public void A_flipped_bit_or_another_key_fails_authentication()
    {
        var sealedBytes = new SecretBox(Key).Seal(Secret);
        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[i] ^= 0x01;
            Assert.ThrowsAny<CryptographicException>(() => new SecretBox(Key).Open(tampered));
        }
        var other = new SecretBox(Enumerable.Repeat((byte)7, 32).ToArray());
        Assert.ThrowsAny<CryptographicException>(() => other.Open(sealedBytes));
        Assert.ThrowsAny<CryptographicException>(() => new SecretBox(Key).Open(sealedBytes.AsSpan(0, 27).ToArray()));
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("   ", "is not set")]
    [InlineData("not base64!", "is not valid base64")]
    [InlineData("AAECAw==", "must decode to 32 bytes, not 4")]
    public void A_bad_setting_names_itself_and_the_problem(string? value, string problem)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SecretBox.FromBase64(value, "VERIFIER_SECRET_KEY"));
        Assert.Contains("VERIFIER_SECRET_KEY", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        if (value is not null) Assert.DoesNotContain(value.Trim() is "" ? "\u0000" : value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_the_wrong_size_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SecretBox(new byte[16]));
        Assert.Equal(Secret, SecretBox.FromBase64(Convert.ToBase64String(Key), "K").Open(new SecretBox(Key).Seal(Secret)));
    }
}
