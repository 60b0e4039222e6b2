namespace Verifier.Core.Tests.Alerts;

using System.Security.Cryptography;
using System.Text;
using Verifier.Core.Alerts;

public class WebhookSignatureTests
{
    [Fact]
    public void Signature_is_hex_hmac_sha256_of_timestamp_dot_body_computed_independently()
    {
        const string secret = "whsec_test-secret-0123456789", body = """{"id":"x","type":"test"}""";
        var expected = "sha256=" + Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes(secret)).ComputeHash(Encoding.UTF8.GetBytes("1700000000." + body)));
        Assert.Equal(expected, WebhookSignature.Sign(secret, 1_700_000_000, body));
    }

    [Fact]
    public void Verify_accepts_the_signature_and_refuses_another_body_secret_timestamp_or_an_old_delivery()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100);
        var sig = WebhookSignature.Sign("s3cret-s3cret-s3cret", 1_700_000_000, "{}");
        var tolerance = TimeSpan.FromMinutes(5);
        Assert.True(WebhookSignature.Verify("s3cret-s3cret-s3cret", "1700000000", "{}", sig, now, tolerance));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", "1700000000", "{ }", sig, now, tolerance));
        Assert.False(WebhookSignature.Verify("other-secret-other", "1700000000", "{}", sig, now, tolerance));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", "1700000001", "{}", sig, now, tolerance));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", "1700000000", "{}", sig, now.AddMinutes(10), tolerance));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", "-5", "{}", sig, now, tolerance));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", "1700000000", "{}", null, now, tolerance));
    }

    [Fact]
    public void New_secrets_are_random_and_long()
    {
        var a = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", a);
        Assert.True(a.Length >= 40);
        Assert.NotEqual(a, WebhookSignature.NewSecret());
    }
}
