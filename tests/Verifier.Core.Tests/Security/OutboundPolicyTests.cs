namespace Verifier.Core.Tests.Security;

using System.Net;
using Verifier.Core.Security;

public class OutboundPolicyTests
{
    [Theory]
    [InlineData("::127.0.0.1")]          // IPv4-compatible
    [InlineData("::ffff:127.0.0.1")]     // IPv4-mapped
    [InlineData("::ffff:0:7f00:1")]      // SIIT
    [InlineData("64:ff9b::a9fe:a9fe")]   // NAT64 of 169.254.169.254
    [InlineData("64:ff9b::10.0.0.1")]
    [InlineData("64:ff9b:1::8.8.8.8")]   // local-use NAT64: always internal
    [InlineData("2002:7f00:1::1")]       // 6to4 of 127.0.0.1
    [InlineData("2002:c0a8:101::1")]     // 6to4 of 192.168.1.1
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("100.64.0.1")]
    [InlineData("198.18.0.1")]
    [InlineData("0.0.0.0")]
    public void Internal_addresses_and_ipv6_forms_embedding_them_are_internal(string address) =>
        Assert.True(OutboundPolicy.IsInternal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("::8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_and_ipv6_forms_embedding_them_are_not(string address) =>
        Assert.False(OutboundPolicy.IsInternal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("http://[::127.0.0.1]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://[2002:7f00:1::1]/")]
    [InlineData("http://[::ffff:0:7f00:1]/")]
    public void Urls_with_embedded_internal_ipv4_are_refused_unless_allowed(string url)
    {
        var uri = new Uri(url);
        var literal = IPAddress.Parse(uri.Host.Trim('[', ']'));
        Assert.Contains("internal address", OutboundPolicy.Check(uri, [literal], []), StringComparison.Ordinal);
        Assert.Null(OutboundPolicy.Check(uri, [literal], [uri.Host.Trim('[', ']').ToUpperInvariant()]));
    }

    [Fact]
    public void Every_address_counts()
    {
        Assert.NotNull(OutboundPolicy.CheckHost("vendor.example", [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.1")], []));
        Assert.NotNull(OutboundPolicy.CheckHost("vendor.example", [], []));
        Assert.Null(OutboundPolicy.CheckHost("vendor.example", [IPAddress.Parse("93.184.216.34")], []));
    }
}
