using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ingot.Bmc.Redfish;
using Ingot.Simulator.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>TLS verification is on by default; a BMC with a self-signed certificate works only when it is
/// explicitly marked insecure (BmcTarget.InsecureTls).</summary>
public sealed class RedfishTlsTests
{
    [Fact]
    public async Task A_self_signed_certificate_is_refused_by_default()
    {
        await using var sim = await SimRedfish.StartAsync(options: new RedfishSimulatorOptions { Certificate = SelfSigned() });
        await using var bmc = new RedfishBmc(sim.Target(scheme: "https"));
        var e = await Assert.ThrowsAsync<BmcCertificateException>(() => bmc.GetPowerStateAsync());
        Assert.Contains("TLS certificate not trusted", e.Message);
        Assert.Contains("--insecure", e.Message);
        Assert.False(e.IsTransient);
        Assert.Equal(0, sim.State.SessionsCreated);
    }

    [Fact]
    public async Task A_self_signed_certificate_is_accepted_for_a_bmc_marked_insecure()
    {
        await using var sim = await SimRedfish.StartAsync(PowerState.Off, options: new RedfishSimulatorOptions { Certificate = SelfSigned() });
        await using var bmc = new RedfishBmc(sim.Target(scheme: "https") with { InsecureTls = true });
        await bmc.SendPowerAsync(PowerAction.On);
        Assert.Equal(PowerState.On, await bmc.GetPowerStateAsync());
        Assert.Equal(1, sim.State.SessionsCreated);
    }

    [Fact]
    public async Task Https_to_a_plain_http_bmc_says_to_check_the_scheme()
    {
        await using var sim = await SimRedfish.StartAsync();
        await using var bmc = new RedfishBmc(sim.Target(scheme: "https"));
        var e = await Assert.ThrowsAsync<BmcUnreachableException>(() => bmc.GetPowerStateAsync());
        Assert.Contains("TLS handshake failed", e.Message);
        Assert.Contains("--scheme http", e.Message);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=simulated-bmc", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Round-trip through PKCS#12 so the private key is one SslStream can use as a server key.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
