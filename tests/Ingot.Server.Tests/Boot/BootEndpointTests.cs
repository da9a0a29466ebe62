using System.Net;
using Ingot.Client;
using Ingot.Server.Boot;
using Ingot.Server.Tests.Infrastructure;

namespace Ingot.Server.Tests.Boot;

/// <summary>/boot over HTTP, without a token, as iPXE calls it; and /api/v1/images' checks.</summary>
public sealed class BootEndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task TheBootstrap_ChainsToThisServer_WithoutAToken()
    {
        using var http = Server.Http(token: "");
        var response = await http.GetAsync("boot/boot.ipxe");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"chain {Server.Url.ToString().TrimEnd('/')}/boot/ipxe?mac=${{net0/mac}}", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("efi", "exit")]
    [InlineData("pcbios", "sanboot --no-describe --drive 0x80")]
    public async Task AMachineInUse_BootsItsDisk_ThePlatformsWay(string platform, string command)
    {
        var mac = Unique.Mac();
        var machine = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Nics: [new NicInput(mac.ToUpperInvariant().Replace(':', '-'))]));
        using var http = Server.Http(token: "");
        var script = await http.GetStringAsync($"boot/ipxe?mac={mac}&platform={platform}");
        Assert.StartsWith("#!ipxe\n# ingot: local (new)\n", script);
        Assert.EndsWith(command + "\n", script);
        await Server.Admin.SetMaintenanceAsync(machine.HardwareName, true, "bad DIMM");
        Assert.Contains("# ingot: local (in maintenance)", await http.GetStringAsync($"boot/ipxe?mac={mac}"));
    }

    [Fact]
    public async Task AnUnknownMac_WithoutADiscoveryImage_BootsItsDisk_AndSaysWhy()
    {
        using var http = Server.Http(token: "");
        Assert.Contains("no discovery image is configured", await http.GetStringAsync($"boot/ipxe?mac={Unique.Mac()}"));
    }

    [Theory]
    [InlineData("mac=nonsense", "mac")]
    [InlineData("platform=efi", "mac")]
    [InlineData("mac=02:00:00:00:00:01&platform=arm", "platform")]
    public async Task BadQueries_Are422_NamingTheParameter(string query, string field)
    {
        using var http = Server.Http(token: "");
        var problem = await (await http.GetAsync($"boot/ipxe?{query}")).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.Errors!.ContainsKey(field));
    }

    [Theory]
    [InlineData("", "event")]
    [InlineData("""{"event":"done"}""", "event")]
    [InlineData("""{"event":"progress","percent":140}""", "percent")]
    public async Task BadEvents_Are422_BeforeTheTokenIsLookedAt(string body, string field)
    {
        using var http = Server.Http(token: "");
        var response = await http.PostAsync("boot/events", new StringContent(body.Length == 0 ? "{}" : body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.Errors!.ContainsKey(field));
    }

    [Fact]
    public async Task AnEventWithoutAValidToken_Is403()
    {
        using var http = Server.Http(token: "");
        var response = await http.PostAsync("boot/events", new StringContent("""{"event":"finished"}""", System.Text.Encoding.UTF8, "application/json"));
        await response.ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Images_AreCheckedAndListed_AndNamesAreUnique()
    {
        var name = Unique.Name("ubuntu");
        var e = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateImageAsync(new ImageCreate(name, null, "ftp://x/k", "", DeadlineSeconds: 5)));
        Assert.Equal(422, e.Problem.Status);
        Assert.Equal(["deadline_seconds", "initrd_url", "kernel_url", "kind"], e.Problem.Errors!.Keys.Order());
        var image = await Server.Admin.CreateImageAsync(new ImageCreate(name, ImageKind.Install, "http://i/k", "http://i/i", "quiet", "ubuntu-24.04"));
        Assert.Equal(3600, image.DeadlineSeconds);
        Assert.Contains(await Server.Admin.ListImagesAsync(), i => i.Name == name);
        var clash = await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.CreateImageAsync(new ImageCreate(name, ImageKind.Wipe, "http://i/k", "http://i/i")));
        Assert.Equal(409, clash.Problem.Status);
        await Server.Admin.DeleteImageAsync(name);
        Assert.Equal(404, (await Assert.ThrowsAsync<IngotApiException>(() => Server.Admin.GetImageAsync(name))).Problem.Status);
    }
}

/// <summary>Boot tokens at the storage level, where time can be put past their expiry without waiting for it.</summary>
public sealed class BootTokenTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AnExpiredToken_IsNotValid_AndAFreshOneIs_UntilItIsSpent()
    {
        var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Ingot.Server.Data.Database>(fixture.Server.Services);
        await using var c = await db.OpenAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var expired = await BootTokens.IssueAsync(c, "discover", null, null, null, Unique.Mac(), now.AddSeconds(-1), now.AddMinutes(-10));
        Assert.Null(await BootTokens.ValidAsync(c, expired, now));
        var fresh = await BootTokens.IssueAsync(c, "discover", null, null, null, Unique.Mac(), now.AddMinutes(10), now);
        var bound = await BootTokens.ValidAsync(c, fresh, now);
        Assert.NotNull(bound);
        await c.ExecuteAsync("UPDATE boot_tokens SET used_at = @now WHERE token_hash = @hash", new { now, hash = bound.TokenHash });
        Assert.Null(await BootTokens.ValidAsync(c, fresh, now));
        Assert.Null(await BootTokens.ValidAsync(c, "ingot_not-a-token", now));
    }
}
