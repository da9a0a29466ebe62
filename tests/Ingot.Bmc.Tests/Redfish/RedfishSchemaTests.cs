using System.Text.Json.Nodes;
using Ingot.Bmc.Redfish;

namespace Ingot.Bmc.Tests.Redfish;

/// <summary>The vendor tolerance in RedfishSchema, case by case (each quirk's why-comment names its test here).</summary>
public sealed class RedfishSchemaTests
{
    [Theory]
    [InlineData("On", PowerState.On)]
    [InlineData("Off", PowerState.Off)]
    [InlineData("PoweringOn", PowerState.Off)]   // not on yet: confirmation keeps polling
    [InlineData("PoweringOff", PowerState.On)]   // still on: confirmation keeps polling
    [InlineData("Paused", PowerState.On)]
    public void Transitional_power_states_read_as_the_state_not_yet_left(string value, PowerState expected) =>
        Assert.Equal(expected, RedfishSchema.ParsePowerState(value));

    [Fact]
    public void An_unknown_power_state_is_not_guessed() => Assert.Null(RedfishSchema.ParsePowerState("Exploded"));

    [Fact]
    public void Boot_mode_is_left_out_for_a_legacy_boot_on_a_system_that_reports_no_mode()
    {
        var patch = RedfishSchema.BootPatch(new BootSettings(BootDevice.Pxe), systemHasMode: false);
        Assert.Equal("""{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once"}}""", patch.ToJsonString());
    }

    [Fact]
    public void Boot_mode_is_sent_when_uefi_is_asked_for()
    {
        var patch = RedfishSchema.BootPatch(new BootSettings(BootDevice.Disk, Persistent: true, Uefi: true), systemHasMode: false);
        Assert.Equal("""{"Boot":{"BootSourceOverrideTarget":"Hdd","BootSourceOverrideEnabled":"Continuous","BootSourceOverrideMode":"UEFI"}}""", patch.ToJsonString());
    }

    [Fact]
    public void A_boot_object_with_missing_properties_reads_as_no_override()
    {
        Assert.Equal(new BootSettings(BootDevice.None), RedfishSchema.ParseBoot(null));
        Assert.Equal(new BootSettings(BootDevice.None), RedfishSchema.ParseBoot(new JsonObject { ["BootSourceOverrideTarget"] = "Pxe" }));
        Assert.Equal(new BootSettings(BootDevice.None), RedfishSchema.ParseBoot(new JsonObject
            { ["BootSourceOverrideTarget"] = "Pxe", ["BootSourceOverrideEnabled"] = "Disabled" }));
    }

    [Fact]
    public void Text_tolerates_absent_null_and_non_string_properties()
    {
        var system = new JsonObject { ["Model"] = null, ["Manufacturer"] = 42 };
        Assert.Null(RedfishSchema.Text(system, "Model"));
        Assert.Null(RedfishSchema.Text(system, "Manufacturer"));
        Assert.Null(RedfishSchema.Text(system, "BiosVersion"));
    }
}
