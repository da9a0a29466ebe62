using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ingot.Commands;

/// <summary>A server whose certificate a site's own CA signed (or a self-signed one): the client trusts that CA, given as a
/// PEM file, instead of the system's roots, as `curl --cacert` does. The host name is still checked against the
/// certificate.</summary>
internal static class TrustedAuthority
{
    /// <exception cref="UsageException">The file cannot be read or holds no PEM certificate.</exception>
    public static SocketsHttpHandler Handler(string path, string source)
    {
        var roots = Load(path, source);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            // A private CA rarely publishes revocation lists; a self-signed certificate has none.
            RevocationMode = X509RevocationMode.NoCheck,
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        return handler;
    }

    private static X509Certificate2Collection Load(string path, string source)
    {
        var roots = new X509Certificate2Collection();
        try { roots.ImportFromPemFile(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"The CA certificate '{path}' (from {source}) cannot be read: there is no such file.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UsageException($"The CA certificate '{path}' (from {source}) cannot be read: {e.Message}");
        }
        return roots.Count > 0 ? roots
            : throw new UsageException($"The CA certificate '{path}' (from {source}) holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }
}
