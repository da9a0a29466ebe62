using System.Security.Cryptography;
using System.Text;

namespace Ingot.Server.SelfService;

/// <summary>API tokens: 256 random bits, shown once, stored only as a SHA-256 hash. A fast hash is
/// enough here (unlike passwords) because the token has full entropy: there is nothing to brute-force.</summary>
public static class Tokens
{
    public const string Prefix = "ingot_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
