using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ingot.Server.Tests.Infrastructure;

/// <summary>A site's own small PKI in a temporary directory, as an operator would have it: a root CA (ca.pem, what clients
/// trust), an intermediate that signs, and the server's certificate for 127.0.0.1 and localhost (server.pem: the server's
/// certificate, then the intermediate) with its key (server.key, 0600). Clients that trust only the root can verify the
/// server only if it sends the intermediate.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }
    public string Authority => Path.Combine(Directory, "ca.pem");
    public string Certificate => Path.Combine(Directory, "server.pem");
    public string Key => Path.Combine(Directory, "server.key");

    public static TestCertificates Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ingot-tls-").FullName;
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = NewAuthority("CN=Ingot test root CA", rootKey, null, null, now);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = NewAuthority("CN=Ingot test intermediate CA", intermediateKey, root, rootKey, now);

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=ingot.test", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // An RSA certificate signed by an ECDSA CA: both kinds of key are read.
        using var server = request.Create(intermediate.SubjectName, X509SignatureGenerator.CreateForECDsa(intermediateKey), now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4]);

        var certificates = new TestCertificates(directory);
        File.WriteAllText(certificates.Authority, root.ExportCertificatePem());
        File.WriteAllText(certificates.Certificate, server.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem());
        certificates.WritePrivate("server.key", serverKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    /// <summary>A file of this directory's with a key no certificate here has, as an operator's mix-up would give.</summary>
    public string OtherKey()
    {
        using var key = RSA.Create(2048);
        return WritePrivate("other.key", key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A file of this directory's with <paramref name="content"/>, readable by its owner only.</summary>
    public string WritePrivate(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { /* best effort */ }
    }

    private static X509Certificate2 NewAuthority(string name, ECDsa key, X509Certificate2? issuer, ECDsa? issuerKey, DateTimeOffset now)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null) return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        using var signer = issuer.HasPrivateKey ? null : issuer.CopyWithPrivateKey(issuerKey!);
        return request.Create(signer ?? issuer, now.AddMinutes(-5), now.AddDays(2), [5, 6, 7, 8]);
    }
}
