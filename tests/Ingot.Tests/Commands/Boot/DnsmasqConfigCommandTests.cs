using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Commands.Machines;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Boot;

/// <summary>`ingot boot dnsmasq-config` run in-process against a real server.</summary>
public sealed class DnsmasqConfigCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Only_the_sites_nics_appear_with_their_address_and_hostname()
    {
        var (here, there) = (await Inventory.CreateAsync(Server), await Inventory.CreateAsync(Server));
        var (mac, mac2, ip, hostname) = (Unique.Mac(), Unique.Mac(), "10.20.0.7", Unique.Name("web") + ".example.net");
        await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: here.Site, Hostname: hostname,
            Role: here.Role, Nics: [new NicInput(mac, "eth0", ip), new NicInput(mac2, "eth1")]));
        var plain = await here.MachineAsync(Server, unit: 2);
        var elsewhere = await there.MachineAsync(Server, unit: 1);
        using var cli = CliRunner.For(Server);

        var result = await cli.OkAsync("boot", "dnsmasq-config", "--site", here.Site, "--server-url", "http://10.0.0.2:7420");

        var hosts = Lines.Of(result.Out).Where(l => l.StartsWith("dhcp-host=")).ToList();
        string[] expected = [$"dhcp-host={mac},{ip},{hostname}", $"dhcp-host={mac2},{hostname}", $"dhcp-host={plain.Nics[0].Mac}"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), hosts); // these three and no other, in MAC order
        Assert.DoesNotContain(elsewhere.Nics[0].Mac, result.Out);
        Assert.Contains("\ndhcp-boot=tag:ipxe,http://10.0.0.2:7420/boot/boot.ipxe\n", result.Out);
        Assert.StartsWith($"# dnsmasq configuration for the machines of Ingot site '{here.Site}'.", result.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task File_writes_the_configuration_and_json_describes_it()
    {
        var inv = await Inventory.CreateAsync(Server);
        var machine = await inv.MachineAsync(Server, unit: 1);
        using var cli = CliRunner.For(Server);
        var path = cli.File("dnsmasq.conf", "old contents");

        var view = (await cli.OkAsync("boot", "dnsmasq-config", "--site", inv.Site, "--server-url", "http://10.0.0.2:7420",
            "--tftp-root", "/var/lib/tftpboot", "--file", path, "-o", "json")).Out;

        using var json = JsonDocument.Parse(view);
        Assert.Equal(inv.Site, json.RootElement.GetProperty("site").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("machines").GetInt32());
        Assert.Equal(path, json.RootElement.GetProperty("file").GetString());
        var written = await File.ReadAllTextAsync(path);
        Assert.Equal(json.RootElement.GetProperty("config").GetString(), written);
        Assert.Contains($"\ndhcp-host={machine.Nics[0].Mac}\n", written);
        Assert.Contains("\ntftp-root=/var/lib/tftpboot\n", written);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "dnsmasq.conf*")); // no temporary file left behind
        var (exit, output) = await DnsmasqSyntaxTests.TestAsync(written);
        Assert.True(exit == 0 && output.Contains("syntax check OK"), $"dnsmasq --test exited {exit}:\n{output}");
    }

    [Fact]
    public async Task The_boot_url_defaults_to_the_server_in_use_with_a_warning_for_loopback()
    {
        var inv = await Inventory.CreateAsync(Server);
        using var cli = CliRunner.For(Server);
        var result = await cli.OkAsync("boot", "dnsmasq-config", "--site", inv.Site);
        Assert.Contains($"\ndhcp-boot=tag:ipxe,{Server.Url.GetLeftPart(UriPartial.Authority)}/boot/boot.ipxe\n", result.Out);
        Assert.StartsWith("warning: the boot URL", result.Error);
        Assert.Contains("--server-url", result.Error);
    }

    [Fact]
    public async Task An_unknown_site_is_the_servers_422_and_nothing_is_printed()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.FailsAsync(1, "boot", "dnsmasq-config", "--site", "no-such-site", "--server-url", "http://10.0.0.2");
        Assert.StartsWith("error: Invalid request (422):", result.Error);
        Assert.Contains("no site 'no-such-site' exists", result.Error);
    }

    [Theory]
    [InlineData("--server-url", "not a url", "not an absolute URL")]
    [InlineData("--server-url", "http://10.0.0.2/a,b", "comma")]
    [InlineData("--tftp-root", "tftp", "absolute path")]
    public async Task Settings_dnsmasq_would_misread_are_usage_errors(string option, string value, string message)
    {
        using var cli = CliRunner.For(Server);
        var args = new List<string> { "boot", "dnsmasq-config", "--site", "lon1", option, value };
        if (option != "--server-url") args.AddRange(["--server-url", "http://10.0.0.2"]);
        var result = await cli.FailsAsync(2, [.. args]);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public async Task The_site_is_required()
    {
        using var cli = CliRunner.For(Server);
        var result = await cli.RunAsync("boot", "dnsmasq-config");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--site", result.Error);
    }

    [Fact]
    public async Task Help_explains_the_verb_and_its_options()
    {
        using var cli = new CliRunner();
        Assert.Contains(Environment.NewLine + "  dnsmasq-config ", (await cli.OkAsync("boot", "--help")).Out);
        Assert.Contains(Environment.NewLine + "  boot ", (await cli.OkAsync("--help")).Out);
        var help = (await cli.OkAsync("boot", "dnsmasq-config", "--help")).Out;
        foreach (var option in new[] { "--site", "--server-url <url>", "--tftp-root <path>", "/srv/tftp", "--file <path>",
                     "boot.ipxe", "--url <url>", "-o, --output <json|table>" })
            Assert.Contains(option, help);
    }
}
