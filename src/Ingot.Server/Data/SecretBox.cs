using System.Security.Cryptography;
using Dapper;
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

    private const string CheckText = "ingot secret key check";

    /// <summary>Refuses to start a node whose key is not the one this database's secrets were sealed with: every node of a
    /// cluster must share one key (INGOT_SECRET_KEY), or each would seal BMC passwords and webhook secrets the others
    /// cannot open — found when a second node's deliveries silently stalled. The first node to start seals a known text
    /// into <c>key_checks</c>; every later start must open it.</summary>
    public async Task CheckAgainstAsync(Database db, CancellationToken ct)
    {
        await db.InTransactionAsync(c => c.ExecuteAsync(
            "INSERT INTO key_checks (name, sealed) VALUES ('secret', @sealed) ON CONFLICT (name) DO NOTHING", new { @sealed = Seal(CheckText) }), ct);
        await using var read = await db.OpenAsync(ct);
        var stored = await read.ExecuteScalarAsync<byte[]>("SELECT sealed FROM key_checks WHERE name = 'secret'");
        if (!TryOpen(stored!, out var text) || text != CheckText)
            throw new SecretKeyMismatchException();
    }

    /// <summary><see cref="Open"/>, false for a sealed value this key did not seal (or that was changed).</summary>
    public bool TryOpen(byte[] sealedBytes, out string plain)
    {
        try
        {
            plain = Open(sealedBytes);
            return true;
        }
        catch (CryptographicException)
        {
            plain = "";
            return false;
        }
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

/// <summary>This node's secret key cannot open what the database's first node sealed (<see cref="SecretBox.CheckAgainstAsync"/>).</summary>
public sealed class SecretKeyMismatchException() : InvalidOperationException(
    "this server's secret key is not the one the database's secrets were sealed with: every node must run with the same INGOT_SECRET_KEY " +
    "(the first node's is base64 in its data directory's secret.key)");
