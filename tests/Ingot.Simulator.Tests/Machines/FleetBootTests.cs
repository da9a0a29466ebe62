using System.Net;
using Ingot.Bmc;
using Ingot.Bmc.Ipmi;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Machines;

namespace Ingot.Simulator.Tests.Machines;

/// <summary>A fleet whose BMCs answer real IPMI on 127.0.8.x, driven by Ingot.Bmc's own IPMI client, as the
/// server will drive it: set PXE, power on, and the machine installs.</summary>
public sealed class FleetBootTests
{
    [Fact]
    public async Task PowerOnThroughIpmi_WithPxeNext_FetchesItsScriptAndReportsTheInstall()
    {
        await using var server = await StandInBootServer.StartAsync();
        await using var fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = server.Url,
            Count = 2,
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.8.1"), IpmiPort = 0 },
            SerialPrefix = "FLEET-",
            Timings = MachineBench.Fast,
        });
        var machine = fleet.Machines[1];
        var endpoint = fleet.IpmiEndpoints[1];
        Assert.Equal("127.0.8.2", endpoint.Address.ToString());
        server.PlanFor(machine.Identity.BootMac, new("install", "ubuntu-24.04", 42));
        await using var transport = new IpmiTransport(new IpmiClientOptions { LocalAddress = IPAddress.Loopback, AttemptTimeout = TimeSpan.FromSeconds(1), Attempts = 3 });
        await using var bmc = new IpmiBmc(new BmcTarget(BmcDrivers.Sim, endpoint.Address.ToString(), endpoint.Port, "admin", "password"), transport);

        var outcome = await MachineBench.EndOfBootAsync(machine, async () =>
        {
            await bmc.SetBootDeviceAsync(new BootSettings(BootDevice.Pxe, Uefi: true));
            await bmc.SendPowerAsync(PowerAction.On);
        });

        Assert.Equal(BootOutcome.Installed, outcome);
        var script = Assert.Single(server.Requests, r => r.Path == "/boot/ipxe");
        Assert.Contains($"mac={Uri.EscapeDataString(machine.Identity.BootMac)}", script.Query);
        Assert.Null(script.Authorization); // iPXE has no credentials
        var token = server.TokenOf(machine.Identity.BootMac);
        Assert.All(server.Requests.Where(r => r.Path == "/boot/events"), r => Assert.Equal($"Bearer {token}", r.Authorization));
        var events = server.Events.ToList();
        Assert.Equal(["started", "progress", "progress", "progress", "progress", "finished"], events.Select(e => e.Event.Event));
        Assert.Equal([20, 40, 60, 80], events.Where(e => e.Event.Percent is not null).Select(e => e.Event.Percent!.Value));
        Assert.All(events, e => Assert.Equal(42, e.Job));
        Assert.Equal(1, machine.Counters.InstallsFinished);
        Assert.Equal(0, fleet.Machines[0].Counters.Boots); // the other machine was left alone
        // It rebooted to disk by itself: the BMC saw one power transition, and the override was used up.
        Assert.Equal(1, machine.Bmc.PowerTransitions);
        Assert.Equal(BootDevice.None, (await bmc.GetBootDeviceAsync()).Device);
    }

    [Fact]
    public async Task PowerCycle_BootsAgain_FromThePxeOverride()
    {
        await using var server = await StandInBootServer.StartAsync();
        await using var fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = server.Url,
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.8.10"), IpmiPort = 0, InitialPower = PowerState.On },
            SerialPrefix = "CYCLE-",
            Timings = MachineBench.Fast,
        });
        var machine = fleet.Machines[0];
        server.PlanFor(machine.Identity.BootMac, new("wipe", Job: 7));
        machine.Bmc.SetBoot(new BootSettings(BootDevice.Pxe));

        Assert.Equal(BootOutcome.Wiped, await MachineBench.EndOfBootAsync(machine, () => machine.Bmc.Apply(PowerAction.Cycle)));
        Assert.Equal(1, machine.Counters.Boots);
        Assert.Equal(1, machine.Counters.Wipes);
    }

    [Fact]
    public async Task Faults_AreSpreadOverTheFleet_AsAsked()
    {
        await using var server = await StandInBootServer.StartAsync();
        await using var fleet = await SimulatedFleet.StartAsync(new FleetOptions
        {
            Server = server.Url,
            Count = 4,
            Bmcs = new SimulatorOptions { IpmiBase = IPAddress.Parse("127.0.8.20"), IpmiPort = 0 },
            Faults = new FleetFaults { FailPercent = 25, FlakyBmcPercent = 50, Seed = 3 },
            Timings = MachineBench.Fast,
        });

        Assert.Single(fleet.Machines, m => m.Faults.InstallerFails);
        Assert.Equal(2, fleet.Machines.Count(m => m.Bmc.Faults.DropRate > 0));
    }
}
