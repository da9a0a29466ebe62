using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ingot.Server.Hosting;

/// <summary>The certificate served on https:// addresses, read from the PEM files of <c>tls.certificate</c> (the server's
/// certificate, then its intermediates) and <c>tls.key</c> (its private key, unencrypted; or in the certificate's file).
/// Everything that can be wrong with them stops start-up with one sentence each, naming the setting and the file: an https
/// address without a certificate, a certificate without an https address, a file that is missing or unreadable, a PEM that
/// does not parse, a key that is not the certificate's, and a key that other users may read (refused, like ssh and
/// PostgreSQL refuse theirs: whoever reads it can impersonate the server).</summary>
public sealed class ServerTls : IDisposable
{
    private ServerTls(X509Certificate2 certificate, X509Certificate2Collection chain) => (Certificate, Chain) = (certificate, chain);

    /// <summary>The server's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The intermediates that followed it in its file, sent with it so clients that trust only the root can build the chain.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>Reads the certificate when an address is https://; null when none is (and none is set).</summary>
    /// <param name="label">How an error names a setting, by option name: the flag or variable it came from.</param>
    /// <exception cref="ServerOptionsException">What is wrong, one sentence per problem.</exception>
    public static ServerTls? Load(ServerSettings settings, Func<string, string> label)
    {
        var https = settings.Urls.FirstOrDefault(u => u.StartsWith("https:", StringComparison.OrdinalIgnoreCase));
        if (settings.TlsCertificate is not { } certificatePath)
        {
            if (settings.TlsKey is not null) throw Refuse($"{label("tls.key")} is set without a certificate: give {Flags} too.");
            if (https is not null) throw Refuse($"{label("urls")} has an https:// address ({https}) but no certificate: give {Flags}, PEM files.");
            return null;
        }
        if (https is null)
            throw Refuse($"{label("tls.certificate")} is set but {label("urls")} has no https:// address: add one (such as https://0.0.0.0:7443) or unset the certificate.");

        var certificateText = Read(certificatePath, label("tls.certificate"));
        var chain = new X509Certificate2Collection();
        try { chain.ImportFromPem(certificateText); }
        catch (CryptographicException e) { throw Refuse($"{label("tls.certificate")}='{certificatePath}' holds a certificate that does not parse ({e.Message})."); }
        if (chain.Count == 0)
            throw Refuse($"{label("tls.certificate")}='{certificatePath}' holds " +
                         (certificateText.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal) ? "a certificate that does not parse." : "no PEM certificate (-----BEGIN CERTIFICATE-----)."));

        var (keyPath, keyLabel) = settings.TlsKey is { } k ? (k, label("tls.key")) : (certificatePath, label("tls.certificate"));
        RefuseIfOthersMayRead(keyPath, keyLabel);
        var keyText = settings.TlsKey is null ? certificateText : Read(keyPath, keyLabel);
        CheckKey(keyText, keyPath, keyLabel);
        using var first = chain[0];
        chain.RemoveAt(0);
        X509Certificate2 leaf;
        try { leaf = X509Certificate2.CreateFromPem(first.ExportCertificatePem(), keyText); }
        catch (CryptographicException)
        {
            throw Refuse($"{keyLabel}='{keyPath}' does not match the certificate in {label("tls.certificate")}='{certificatePath}' (the key of another certificate?).");
        }
        return new ServerTls(leaf, chain);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var certificate in Chain) certificate.Dispose();
    }

    private static string Flags =>
        $"{Option("tls.certificate").Flag} and {Option("tls.key").Flag} ({Option("tls.certificate").Variable}, {Option("tls.key").Variable})";

    private static ServerOption Option(string name) => ServerOptions.All.Single(o => o.Name == name);

    private static ServerOptionsException Refuse(string error) => new([error]);

    private static string Read(string path, string label)
    {
        if (Directory.Exists(path)) throw Refuse($"{label}='{path}' is a directory, not a PEM file.");
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Refuse($"{label}='{path}' cannot be read: there is no such file.");
        }
        catch (UnauthorizedAccessException)
        {
            throw Refuse($"{label}='{path}' cannot be read: permission denied (the server runs as {Environment.UserName}).");
        }
        catch (IOException e) { throw Refuse($"{label}='{path}' cannot be read: {e.Message}"); }
    }

    /// <summary>Group read is allowed, for a key shared through a group (Debian's ssl-cert: 0640 root:ssl-cert); other users
    /// are not. Refused rather than warned about: a warning scrolls by while the key stays readable.</summary>
    private static void RefuseIfOthersMayRead(string path, string label)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw Refuse($"{label}='{path}' holds the private key and other users may read it (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}): " +
                         $"chmod 600 it (or 640 for a group such as ssl-cert).");
    }

    /// <summary>Says which of "no key", "an encrypted key" and "a key that does not parse" it is, before the match is tried.</summary>
    private static void CheckKey(string text, string path, string label)
    {
        var labels = PemLabels(text);
        var keys = labels.Where(l => l is "PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY").ToList();
        if (keys.Count == 0 && labels.Contains("ENCRYPTED PRIVATE KEY"))
            throw Refuse($"{label}='{path}' holds an encrypted private key; give it unencrypted (openssl pkey -in KEY -out KEY.pem) and keep the file private.");
        if (keys.Count == 0 && !text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw Refuse($"{label}='{path}' holds no PEM private key (-----BEGIN PRIVATE KEY-----).");
        if (keys.Count == 0 || (!Parses(text, RSA.Create) && !Parses(text, ECDsa.Create)))
            throw Refuse($"{label}='{path}' holds a private key that does not parse (an RSA or ECDSA key in PEM is expected).");
    }

    private static bool Parses(string text, Func<AsymmetricAlgorithm> create)
    {
        using var key = create();
        try
        {
            key.ImportFromPem(text);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException) { return false; }
    }

    private static List<string> PemLabels(string text)
    {
        var labels = new List<string>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var field))
        {
            labels.Add(rest[field.Label].ToString());
            rest = rest[field.Location.End.Value..];
        }
        return labels;
    }
}
