using System.Net;
using System.Text.Json.Nodes;
using Ingot.Labs;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Bmc;

/// <summary>One OpenIPMI ipmi_sim (a BMC we did not write) on 127.0.2.231, apart from the other test projects'
/// ipmi_sim addresses since test projects run in parallel.</summary>
public sealed class IpmiSimBmc : IAsyncLifetime
{
    public IpmiSimProcesses Processes { get; private set; } = null!;
    public string Host => Processes.Addresses[0].ToString();

    public async Task InitializeAsync()
    {
        Processes = await IpmiSimProcesses.StartAsync([IPAddress.Parse("127.0.2.231")]);
        await Processes.WaitUntilAnsweringAsync(0, TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync() => await Processes.DisposeAsync();
}

/// <summary>`ingot bmc …` against ipmi_sim: what an operator sees from a third-party BMC.</summary>
public sealed class BmcAgainstIpmiSimTests(IpmiSimBmc sim) : IClassFixture<IpmiSimBmc>
{
    private string[] Args(CliRunner cli, string user, string password, params string[] verb) =>
        [.. verb, "--driver", "ipmi", "--host", sim.Host, "--user", user, "--password-file", cli.File($"pw-{user}", password)];

    /// <summary>ipmi_sim applies the device but reports none of the flags: the CLI gives the server's verdict (the device
    /// is confirmed, the flags are named as not reported), where it used to print "none" for a device that took.</summary>
    [Fact]
    public async Task Bootdev_pxe_is_confirmed_and_the_flags_ipmi_sim_does_not_report_are_named()
    {
        using var cli = new CliRunner();
        var result = await cli.OkAsync(Args(cli, IpmiSimProcesses.AdminUser, IpmiSimProcesses.AdminPassword, "bmc", "bootdev", "pxe", "--uefi"));
        Assert.Equal("boot device: pxe (next boot only, legacy)" + Environment.NewLine, result.Out);
        Assert.Equal("note: the BMC does not report the boot mode, the boot-flags-valid mark; the device was confirmed" + Environment.NewLine,
            result.Error);
        Assert.Equal("pxe", sim.Processes.ReadState(0, "boot"));
        var json = JsonNode.Parse((await cli.OkAsync([.. Args(cli, IpmiSimProcesses.AdminUser, IpmiSimProcesses.AdminPassword,
            "bmc", "bootdev", "disk", "--persistent"), "-o", "json"])).Out)!;
        Assert.Equal("disk", (string?)json["device"]);
        Assert.Equal(["boot_persistence_not_reported", "boot_valid_not_reported"], json["quirks"]!.AsArray().Select(q => (string?)q));
    }
}
