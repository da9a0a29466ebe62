using Ingot.Client;
using Ingot.Commands.Boot;

namespace Ingot.Tests.Commands.Boot;

/// <summary>The pure renderer: a small inventory against a golden file, and the rules it applies.</summary>
public sealed class DnsmasqConfigTests
{
    private static readonly DnsmasqSettings Settings = new("lon1", new Uri("http://ingot.example.net:7420/"));

    // Deliberately out of order, with a duplicate NIC, an IPv6 address and a machine without hostname.
    internal static readonly BootHost[] SmallInventory =
    [
        new("52:54:00:00:00:03", null, null),
        new("52:54:00:00:00:01", "10.0.0.11", "web01.lon1.example.net"),
        new("52:54:00:00:00:02", null, "web01.lon1.example.net"),
        new("52:54:00:00:00:04", "10.0.0.14", null),
        new("52:54:00:00:00:05", "2001:db8::5", "db01"),
        new("52:54:00:00:00:01", "10.0.0.11", "web01.lon1.example.net"),
    ];

    [Fact]
    public void A_small_inventory_renders_the_golden_file()
    {
        Golden.Assert("boot/dnsmasq-lon1.conf", DnsmasqConfig.Render(SmallInventory, Settings));
    }

    [Fact]
    public void The_output_does_not_depend_on_the_order_of_the_hosts()
    {
        Assert.Equal(DnsmasqConfig.Render(SmallInventory, Settings), DnsmasqConfig.Render(SmallInventory.Reverse(), Settings));
    }

    [Fact]
    public void No_hosts_still_gives_the_boot_section()
    {
        var text = DnsmasqConfig.Render([], Settings with { TftpRoot = "/var/lib/tftpboot" });
        Assert.Contains("\ntftp-root=/var/lib/tftpboot\n", text);
        Assert.Contains("\ndhcp-boot=tag:ipxe,http://ingot.example.net:7420/boot/boot.ipxe\n", text);
        Assert.DoesNotContain("\ndhcp-host=", text);
    }

    [Theory]
    [InlineData("http://ingot.example.net", "http://ingot.example.net/boot/boot.ipxe")]
    [InlineData("https://ingot.example.net/ingot/", "https://ingot.example.net/ingot/boot/boot.ipxe")]
    [InlineData("http://10.0.0.2:7420/ingot", "http://10.0.0.2:7420/ingot/boot/boot.ipxe")]
    public void The_bootstrap_url_keeps_the_servers_path(string server, string expected)
    {
        Assert.Equal(expected, DnsmasqConfig.BootstrapUrl(new Uri(server)));
    }

    [Theory]
    [InlineData("ftp://ingot.example.net/", "/srv/tftp", "http://")]
    [InlineData("http://ingot.example.net/?a=1", "/srv/tftp", "query")]
    [InlineData("http://ingot.example.net/a,b/", "/srv/tftp", "comma")]
    [InlineData("http://ingot.example.net/", "srv/tftp", "absolute path")]
    [InlineData("http://ingot.example.net/", "/srv/tftp,eth0", "absolute path")]
    public void Settings_dnsmasq_would_misread_are_refused(string server, string tftpRoot, string reason)
    {
        var settings = new DnsmasqSettings("lon1", new Uri(server), tftpRoot);
        Assert.Contains(reason, DnsmasqConfig.Problem(settings));
        Assert.Throws<ArgumentException>(() => DnsmasqConfig.Render([], settings));
    }

    [Fact]
    public void Each_nic_of_each_machine_becomes_a_host_with_the_machines_hostname()
    {
        var now = DateTimeOffset.UnixEpoch;
        MachineView Machine(string? hostname, params NicView[] nics) => new(1, "hw-x", "X", null, null, "lon1", null, null, null,
            hostname, null, null, MachineState.Available, false, null, nics, null, [], null, now, now);

        var hosts = DnsmasqConfig.HostsOf([
            Machine("web01", new NicView("52:54:00:00:00:01", "eth0", "10.0.0.1"), new NicView("52:54:00:00:00:02", "eth1", null)),
            Machine(null, new NicView("52:54:00:00:00:03", null, null)),
            Machine("empty"),
        ]);

        Assert.Equal([
            new BootHost("52:54:00:00:00:01", "10.0.0.1", "web01"),
            new BootHost("52:54:00:00:00:02", null, "web01"),
            new BootHost("52:54:00:00:00:03", null, null),
        ], hosts);
    }
}
