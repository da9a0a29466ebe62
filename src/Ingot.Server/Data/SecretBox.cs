using System.Security.Cryptography;
using Ingot.Server.Api;

namespace Ingot.Server.Data;

/// <summary>Encrypts secrets at rest (BMC passwords) with AES-256-GCM. Layout: nonce(12) | tag(16) | ciphertext.
/// The key never sits in the database, so a dump of the database alone reveals no password.</summary>
public sealed class SecretBox(byte[] key)
{
    private const int NonceSize = 12, TagSize = 16;

    public static async Task<SecretBox> LoadAsync(string? base64Key, string dataDirectory, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(base64Key))
        {
            var key = Convert.FromBase64String(base64Key.Trim());
            if (key.Length != 32) throw new InvalidOperationException("INGOT_SECRET_KEY must be base64 of exactly 32 bytes.");
            return new SecretBox(key);
        }
        var path = Path.Combine(dataDirectory, "secret.key");
        if (File.Exists(path)) return new SecretBox(Convert.FromBase64String((await File.ReadAllTextAsync(path, ct)).Trim()));
        PrivateFiles.CreateDirectory(dataDirectory);
        var fresh = RandomNumberGenerator.GetBytes(32);
        await PrivateFiles.WriteAsync(path, Convert.ToBase64String(fresh) + "\n", ct);
        return new SecretBox(fresh);
    }

    public byte[] Seal(string secret)
    {
        var plain = System.Text.Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize));
        return sealedBytes;
    }

    public string Open(byte[] sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize),
            sealedBytes.AsSpan(NonceSize, TagSize), plain);
        return System.Text.Encoding.UTF8.GetString(plain);
    }
}
