using System.Text.Json;

namespace Ingot.Simulator.Tests.Ipmi;

public sealed class InventoryFleet() : FleetFixture("127.1.4.1", 8);

/// <summary>Inventory reads of third-party clients against the simulator (issue 11 E.5): before, Get Channel Info, FRU,
/// SDR and SEL were "invalid command", so bmc-info printed garbage channels and pyghmi's get_inventory failed.</summary>
public sealed class InventoryTests(InventoryFleet fleet) : IClassFixture<InventoryFleet>, IDisposable
{
    /// <summary>FreeIPMI caches SDRs under $HOME unless told otherwise; each test run gets its own directory.</summary>
    private readonly string sdrCache = Directory.CreateTempSubdirectory("ingot-sdr-cache-").FullName;

    public void Dispose() => Directory.Delete(sdrCache, recursive: true);

    private Task<ToolResult> FreeIpmiAsync(string tool, int index, params string[] args) =>
        ExternalTool.RunAsync($"/usr/sbin/{tool}",
            [.. ExternalTool.FreeIpmiFlags(fleet.Host(index), "admin", "password", 3, "USER"), $"--sdr-cache-directory={sdrCache}", .. args]);

    [Fact]
    public async Task BmcInfo_ListsTheLanChannel()
    {
        var result = await ExternalTool.RunAsync("/usr/sbin/bmc-info",
            [.. ExternalTool.FreeIpmiFlags(fleet.Host(0), "admin", "password", 3, "USER"), "--get-channel-info"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("""
            Channel Number       : 1
            Medium Type          : 802.3 LAN
            Protocol Type        : IPMB-1.0
            """.ReplaceLineEndings("\n"), result.Stdout);
        Assert.Contains("Session Support      : multi-session", result.Stdout);
    }

    [Fact]
    public async Task IpmiFru_PrintsTheBoardAndProductWithTheMachinesSerial()
    {
        var result = await FreeIpmiAsync("ipmi-fru", 1);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("FRU Chassis Type: Rack Mount Chassis", result.Stdout);
        Assert.Contains("FRU Board Manufacturer: Ingot", result.Stdout);
        Assert.Contains($"FRU Product Serial Number: {fleet.Bmc(1).Name}", result.Stdout);
        Assert.DoesNotContain("checksum", result.Stdout + result.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task IpmiSensors_ReadsTheSdrRepository_AndIpmiSelAnEmptyLog()
    {
        var sdr = await FreeIpmiAsync("ipmi-sensors", 2, "-vv");
        Assert.True(sdr.ExitCode == 0, sdr.ToString());
        Assert.Contains("Record Type: Management Controller Device Locator Record (12h)", sdr.Stdout);
        Assert.Contains("FRU Inventory Device: Yes", sdr.Stdout);
        var sel = await FreeIpmiAsync("ipmi-sel", 2, "--info");
        Assert.True(sel.ExitCode == 0, sel.ToString());
        Assert.Contains("Number of log entries                  : 0", sel.Stdout);
    }

    [Fact]
    public async Task Ipmitool_FruSdrAndSel()
    {
        var fru = await ExternalTool.IpmitoolAsync(fleet.Host(3), "admin", "password", 3, "fru", "print");
        Assert.True(fru.ExitCode == 0, fru.ToString());
        Assert.Contains("Product Name          : Simulated machine", fru.Stdout);
        Assert.Contains($"Board Serial          : {fleet.Bmc(3).Name}", fru.Stdout);
        var sdr = await ExternalTool.IpmitoolAsync(fleet.Host(3), "admin", "password", 3, "sdr", "elist", "all");
        Assert.True(sdr.ExitCode == 0, sdr.ToString());
        Assert.Contains("Dynamic MC @ 20h", sdr.Stdout);
        var sel = await ExternalTool.IpmitoolAsync(fleet.Host(3), "admin", "password", 3, "sel", "list");
        Assert.True(sel.ExitCode == 0, sel.ToString());
        Assert.Contains("SEL has no entries", sel.Stdout + sel.Stderr);
    }

    /// <summary>pyghmi (the Debian package python3-pyghmi), run with Debian's python (LABS.md), prints its inventory as
    /// JSON: FRU 0 as "System", found through the SDR repository it must read first, and an empty event log.</summary>
    [Fact]
    public async Task Pyghmi_GetInventory_ReadsFruZero_AndGetEventLogAnEmptyLog()
    {
        const string script = """
            import json, sys
            from pyghmi.ipmi import command
            c = command.Command(bmc=sys.argv[1], userid=b'admin', password=b'password')
            print(json.dumps({"inventory": dict(c.get_inventory()), "events": list(c.get_event_log())}, default=str))
            """;
        var result = await ExternalTool.RunAsync("/usr/bin/python3", ["-c", script, fleet.Host(4)]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var system = json.RootElement.GetProperty("inventory").GetProperty("System");
        Assert.Equal("Simulated machine", system.GetProperty("Product name").GetString());
        Assert.Equal(fleet.Bmc(4).Name, system.GetProperty("Serial Number").GetString());
        Assert.Equal("Ingot", system.GetProperty("Board manufacturer").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("events").GetArrayLength());
    }
}
