using System.Diagnostics;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Serve;

/// <summary>`ingot serve` over HTTPS as an operator runs it, with a site CA's certificate and key as PEM files: real TLS
/// clients (curl, openssl, this CLI) that trust only the site's root CA reach it, and every way the certificate settings can
/// be wrong stops start-up with one line naming the setting and the file, before anything is created.</summary>
// The key-mode rule is a Unix promise; the tests set Unix file modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServeTlsTests
{
    [Fact]
    public async Task Serve_over_https_is_verified_by_curl_openssl_and_the_cli_trusting_only_the_site_ca()
    {
        using var certificates = TestCertificates.Create();
        var data = Path.Combine(certificates.Directory, "data");
        var port = Ports.Free();
        var url = $"https://127.0.0.1:{port}";
        var env = new Dictionary<string, string?> { ["INGOT_DATABASE"] = await TestDatabase.CreateAsync() };
        await using var serve = await RunningServe.StartAsync(
            ["serve", "--data", data, "--urls", url, "--tls-certificate", certificates.Certificate, "--tls-key", certificates.Key], env);
        Assert.Contains($"Ingot serving {url}", serve.Printed());

        Assert.Equal((0, "ok"), await RunAsync("curl", "--silent", "--show-error", "--cacert", certificates.Authority, $"{url}/healthz"));
        Assert.Equal((0, "ok"), await RunAsync("curl", "--silent", "--show-error", "--cacert", certificates.Authority, $"https://localhost:{port}/healthz"));
        Assert.Equal(60, (await RunAsync("curl", "--silent", $"{url}/healthz")).Exit); // 60: the peer's certificate is not trusted
        // The CA file holds only the root: openssl verifies the chain only because the server sends its intermediate.
        var (exit, printed) = await RunAsync("openssl", "s_client", "-connect", $"127.0.0.1:{port}", "-CAfile", certificates.Authority,
            "-verify_return_error", "-verify_ip", "127.0.0.1");
        Assert.True(exit == 0 && printed.Contains("Verify return code: 0 (ok)"), printed);

        using var cli = new CliRunner();
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim();
        var whoami = await cli.OkAsync("whoami", "--url", url, "--token", token, "--ca-certificate", certificates.Authority);
        Assert.Contains("admin", whoami.Out);
    }

    [Fact]
    public async Task The_cli_trusts_the_ca_it_is_given_by_flag_variable_or_login_and_says_what_to_do_when_it_is_not()
    {
        using var certificates = TestCertificates.Create();
        await using var server = await TestServer.StartAsync(tls: certificates);
        var url = server.Url.ToString();

        using var cli = new CliRunner();
        var untrusted = await cli.FailsAsync(1, "sites", "list", "--url", url, "--token", server.AdminToken);
        Assert.Contains($"error: the TLS connection to {url} failed: The remote certificate is invalid", untrusted.Error);
        Assert.Contains("name the CA that signed it with --ca-certificate or INGOT_CA_CERTIFICATE.", untrusted.Error);

        await cli.OkAsync("--ca-certificate", certificates.Authority, "sites", "list", "--url", url, "--token", server.AdminToken);
        cli.Environment["INGOT_CA_CERTIFICATE"] = certificates.Authority;
        await cli.OkAsync("sites", "list", "--url", url, "--token", server.AdminToken);
        cli.Environment.Remove("INGOT_CA_CERTIFICATE");

        var missing = await cli.FailsAsync(2, "sites", "list", "--url", url, "--token", server.AdminToken, "--ca-certificate", "/nonexistent/ca.pem");
        Assert.Equal("error: The CA certificate '/nonexistent/ca.pem' (from --ca-certificate) cannot be read: there is no such file.", missing.Error.Trim());

        // Saved with the server and its token, so later verbs need no flag at all.
        await cli.OkAsync("login", "--url", url, "--token", server.AdminToken, "--ca-certificate", certificates.Authority);
        Assert.Contains("admin", (await cli.OkAsync("whoami")).Out);
    }

    [Theory]
    [InlineData("https without a certificate")]
    [InlineData("a certificate without https")]
    [InlineData("a missing certificate file")]
    [InlineData("a directory for the certificate")]
    [InlineData("a certificate from the environment that is missing")]
    [InlineData("a file with no certificate")]
    [InlineData("a certificate that does not parse")]
    [InlineData("a key that does not match")]
    [InlineData("a key that does not parse")]
    [InlineData("a file with no key")]
    [InlineData("a key others may read")]
    public async Task A_bad_certificate_setting_stops_serve_with_one_line_naming_it(string problem)
    {
        using var certificates = TestCertificates.Create();
        var data = Path.Combine(certificates.Directory, "data");
        var https = $"https://127.0.0.1:{Ports.Free()}";
        using var cli = new CliRunner();
        var missing = Path.Combine(certificates.Directory, "missing.pem");
        var garbage = cli.File("garbage.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        var (args, expected) = problem switch
        {
            "https without a certificate" => (Args(https),
                $"--urls has an https:// address ({https}) but no certificate: give --tls-certificate and --tls-key (INGOT_TLS_CERTIFICATE, INGOT_TLS_KEY), PEM files."),
            "a certificate without https" => (Args("http://127.0.0.1:1", certificates.Certificate, certificates.Key),
                "--tls-certificate is set but --urls has no https:// address: add one (such as https://0.0.0.0:7443) or unset the certificate."),
            "a missing certificate file" => (Args(https, missing, certificates.Key), $"--tls-certificate='{missing}' cannot be read: there is no such file."),
            "a directory for the certificate" => (Args(https, certificates.Directory, certificates.Key),
                $"--tls-certificate='{certificates.Directory}' is a directory, not a PEM file."),
            "a certificate from the environment that is missing" => (Args(https, key: certificates.Key),
                $"INGOT_TLS_CERTIFICATE='{missing}' cannot be read: there is no such file."),
            "a file with no certificate" => (Args(https, certificates.Key, certificates.Key),
                $"--tls-certificate='{certificates.Key}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)."),
            "a certificate that does not parse" => (Args(https, garbage, certificates.Key), $"--tls-certificate='{garbage}' holds a certificate that does not parse"),
            "a key that does not match" => (Args(https, certificates.Certificate, certificates.OtherKey()),
                $"--tls-key='{Path.Combine(certificates.Directory, "other.key")}' does not match the certificate in --tls-certificate='{certificates.Certificate}'"),
            "a key that does not parse" => (Args(https, certificates.Certificate, certificates.WritePrivate("bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")),
                $"--tls-key='{Path.Combine(certificates.Directory, "bad.key")}' holds a private key that does not parse"),
            "a file with no key" => (Args(https, certificates.Certificate, certificates.WritePrivate("ca-copy.pem", File.ReadAllText(certificates.Authority))),
                $"--tls-key='{Path.Combine(certificates.Directory, "ca-copy.pem")}' holds no PEM private key (-----BEGIN PRIVATE KEY-----)."),
            "a key others may read" => (Args(https, certificates.Certificate, Readable(certificates.Key)),
                $"--tls-key='{certificates.Key}' holds the private key and other users may read it (mode 0644): chmod 600 it (or 640 for a group such as ssl-cert)."),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        if (problem == "a certificate from the environment that is missing") cli.Environment["INGOT_TLS_CERTIFICATE"] = missing;

        var result = await cli.FailsAsync(2, ["serve", "--data", data, .. args]);

        var lines = result.Error.Trim().Split('\n');
        Assert.Equal(2, lines.Length); // the one error, then where to look for the settings
        Assert.StartsWith("error: " + expected, lines[0]);
        Assert.Equal("The server did not start; 'ingot serve --help' lists every setting.", lines[1]);
        Assert.False(Directory.Exists(data), "nothing is created for a server that does not start");
    }

    private static string[] Args(string url, string? certificate = null, string? key = null) =>
        [.. new[] { "--urls", url }, .. certificate is null ? [] : new[] { "--tls-certificate", certificate }, .. key is null ? [] : new[] { "--tls-key", key }];

    private static string Readable(string path)
    {
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>Runs a third-party client to its end with no input; its exit code and what it printed, trimmed.</summary>
    private static async Task<(int Exit, string Printed)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, ((await output) + (await error)).Trim());
    }
}
