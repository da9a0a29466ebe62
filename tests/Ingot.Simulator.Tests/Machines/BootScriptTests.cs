using Ingot.Simulator.Machines;

namespace Ingot.Simulator.Tests.Machines;

public sealed class BootScriptTests
{
    [Fact]
    public void Install_ReadsIntentAndKernelArguments()
    {
        var script = BootScript.Parse("""
            #!ipxe
            # ingot: install ubuntu-24.04 job 12
            kernel http://img/vmlinuz console=ttyS0 ingot.mode=install ingot.server=http://10.0.0.1:7420 ingot.token=abc ingot.mac=02:00:00:00:00:01
            initrd http://img/initrd
            boot
            """);

        Assert.Equal(BootMode.Install, script.Mode);
        Assert.Equal("install ubuntu-24.04 job 12", script.Intent);
        Assert.Equal("http://10.0.0.1:7420", script.Server);
        Assert.Equal("abc", script.Token);
        Assert.Equal("02:00:00:00:00:01", script.Mac);
        Assert.Equal("ttyS0", script.KernelArguments["console"]);
        Assert.Empty(script.Problems);
    }

    [Theory]
    [InlineData("#!ipxe\n# ingot: local (in use)\nexit\n")]
    [InlineData("#!ipxe\r\n# ingot: local (maintenance)\r\nsanboot --no-describe --drive 0x80\r\n")]
    public void Local_EitherFirmware(string text)
    {
        var script = BootScript.Parse(text);
        Assert.Equal(BootMode.Local, script.Mode);
        Assert.Empty(script.Problems);
    }

    [Fact]
    public void IntentDisagreeingWithTheKernel_IsAProblem_AndTheKernelWins()
    {
        var script = BootScript.Parse("#!ipxe\n# ingot: wipe job 1\nkernel k ingot.mode=install ingot.server=http://s ingot.token=t ingot.mac=m\ninitrd i\nboot\n");
        Assert.Equal(BootMode.Install, script.Mode);
        Assert.Contains(script.Problems, p => p.Contains("disagrees"));
    }

    [Theory]
    [InlineData("<html>not found</html>")]
    [InlineData("#!ipxe\n# ingot: install x\necho nothing to boot\n")]
    [InlineData("#!ipxe\n# ingot: install x\nkernel k ingot.mode=reinstall\nboot\n")]
    public void NotAScriptOfTheContract_IsRefused(string text) =>
        Assert.Throws<FormatException>(() => BootScript.Parse(text));
}

public sealed class FleetFaultsTests
{
    [Fact]
    public void Assign_SameSeed_SameMachines_AndExactShares()
    {
        var faults = new FleetFaults { FailPercent = 10, HangPercent = 5, FlakyBmcPercent = 20, Seed = 42 };
        var first = faults.Assign(100);
        Assert.Equal(first, faults.Assign(100));
        Assert.Equal(10, first.Count(f => f.Machine.InstallerFails));
        Assert.Equal(5, first.Count(f => f.Machine.InstallerHangs));
        Assert.Equal(20, first.Count(f => f.Bmc.DropRate > 0));
        Assert.NotEqual(first, (faults with { Seed = 43 }).Assign(100));
    }

    [Fact]
    public void Assign_None_LeavesEveryMachineAlone() =>
        Assert.All(FleetFaults.None.Assign(10), f => Assert.Equal((MachineFaults.None, BmcFaults.None), f));
}
