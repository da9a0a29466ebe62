using System.Net;
using System.Text.Json.Nodes;
using Ingot.Bmc;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Redfish;
using Ingot.Simulator.Tests.Ipmi;

namespace Ingot.Simulator.Tests.Redfish;

/// <summary>python3-sushy (OpenStack Ironic's Redfish library, from Debian) against our Redfish simulator: what
/// Ironic reads (version document, system, processors, memory, managers, chassis) and what it does (a power
/// action, a boot-source override), checked in what sushy reports and in the simulated BMC's state.</summary>
public sealed class SushyTests
{
    [Fact]
    public async Task Sushy_reads_the_system_managers_and_chassis_and_drives_power_and_boot()
    {
        var bmc = new SimulatedBmc("sushy-1", IPAddress.Parse("127.1.9.1"), SimulatorOptions.DefaultUsers);
        await using var redfish = await RedfishSimulator.StartAsync([bmc]);
        var endpoint = redfish.EndpointOf(bmc);
        var user = SimulatorOptions.DefaultUsers[0];

        var run = await ExternalTool.RunAsync("/usr/bin/python3",
            [Path.Combine(AppContext.BaseDirectory, "Testdata", "sushy_session.py"), $"http://{endpoint}", user.Name, user.Password]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(run.Stderr.Length == 0, run.ToString()); // sushy warns on stderr of anything it had to guess
        var report = JsonNode.Parse(run.Stdout)!;

        Assert.Equal("/redfish/v1/", (string?)report["versions"]!["v1"]);
        Assert.Equal("1.17.0", (string?)report["redfish_version"]);
        var system = report["system"]!;
        Assert.Equal("1", (string?)system["identity"]);
        Assert.Equal("Off", (string?)system["power_state"]);
        Assert.Equal(2 * 16 * 2, (int?)system["logical_cpus"]); // two sockets of 16 cores, two threads each
        Assert.Equal("x86", (string?)system["architecture"]);
        Assert.Equal(["Simulated EPYC 9124", "Simulated EPYC 9124"], Strings(system["processor_models"]));
        Assert.Equal(8 * 16, (int?)system["memory_gib"]);
        Assert.Equal("OK", (string?)system["memory_health"]);
        Assert.Equal("None", (string?)system["boot"]!["target"]);
        Assert.Contains("PowerCycle", Strings(system["allowed_resets"]));
        Assert.Equal("""[{"identity":"1","type":"BMC","firmware":"1.0.0-sim-bmc"}]""", report["managers"]!.ToJsonString());
        Assert.Equal(["1"], Strings(report["manager_collection"]));
        Assert.Equal("""[{"identity":"1","type":"RackMount","power_state":"Off"}]""", report["chassis"]!.ToJsonString());
        Assert.Equal(["1"], Strings(report["chassis_collection"]));

        Assert.Equal("""{"power_state":"On","boot":{"target":"Pxe","enabled":"Once","mode":"UEFI"}}""", report["after"]!.ToJsonString());
        Assert.Equal(PowerState.On, bmc.Power);
        Assert.Equal(new BootSettings(BootDevice.Pxe, Persistent: false, Uefi: true), bmc.Boot);
    }

    private static string[] Strings(JsonNode? array) => [.. ((JsonArray)array!).Select(v => (string)v!)];
}
