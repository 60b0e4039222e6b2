namespace Verifier.Core.Security;

using System.Security.Cryptography;
using System.Text;

public static class ApiKeys
{
    public static readonly string[] Roles = ["admin", "auditor", "viewer"];

    /// <summary>A new key: "r1v_" + 32 random bytes in base64url. Only its hash is stored.</summary>
    public static string NewKey() => "r1v_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
