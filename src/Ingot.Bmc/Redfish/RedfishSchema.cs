using System.Text.Json.Nodes;

namespace Ingot.Bmc.Redfish;

/// <summary>What our capabilities mean in the DMTF ComputerSystem schema, and back: ResetType values,
/// PowerState, and the Boot object. Pure functions, so the vendor tolerance lives in one place.</summary>
internal static class RedfishSchema
{
    public const string ServiceRoot = "/redfish/v1/";
    public const string ResetAction = "#ComputerSystem.Reset";
    public const string Allowable = "@Redfish.AllowableValues";

    /// <summary>The ResetType values that do <paramref name="action"/>, preferred first. "ForceOn" is
    /// accepted for "On" because the schema defines both and a BMC may list only ForceOn. There is no
    /// fallback that changes the meaning (a cycle is not a restart): PowerConfirmation composes those.
    /// Simulator: RedfishProfile.ResetTypes; tests: On_falls_back_to_ForceOn_when_the_system_allows_only_that,
    /// A_reset_type_the_system_does_not_allow_is_unsupported_and_names_the_allowed_ones.</summary>
    public static IReadOnlyList<string> ResetTypes(PowerAction action) => action switch
    {
        PowerAction.On => ["On", "ForceOn"],
        PowerAction.Off => ["ForceOff"],
        PowerAction.SoftOff => ["GracefulShutdown"],
        PowerAction.Reset => ["ForceRestart"],
        PowerAction.Cycle => ["PowerCycle"],
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>"PoweringOn" is not on yet and "PoweringOff" is still on, so confirmation keeps polling
    /// through the transition rather than declaring success early. "Paused" keeps power applied.
    /// (Test: Transitional_power_states_read_as_the_state_not_yet_left.)</summary>
    public static PowerState? ParsePowerState(string? value) => value switch
    {
        "On" or "PoweringOff" or "Paused" => PowerState.On,
        "Off" or "PoweringOn" => PowerState.Off,
        _ => null,
    };

    public static string BootTarget(BootDevice device) => device switch
    {
        BootDevice.Pxe => "Pxe",
        BootDevice.Disk => "Hdd",
        BootDevice.BiosSetup => "BiosSetup",
        _ => "None",
    };

    /// <summary>The Boot object for a PATCH. The mode is sent only when asked for UEFI or when the system
    /// reports a mode at all: the property arrived in a later ComputerSystem version, and a BMC that does
    /// not report it may reject a PATCH naming a property it does not have. Test: Boot_mode_is_left_out_for_a_legacy_boot_on_a_system_that_reports_no_mode.</summary>
    public static JsonObject BootPatch(BootSettings settings, bool systemHasMode)
    {
        var boot = new JsonObject
        {
            ["BootSourceOverrideTarget"] = BootTarget(settings.Device),
            ["BootSourceOverrideEnabled"] = settings.Device == BootDevice.None ? "Disabled" : settings.Persistent ? "Continuous" : "Once",
        };
        if (settings.Uefi || systemHasMode) boot["BootSourceOverrideMode"] = settings.Uefi ? "UEFI" : "Legacy";
        return new JsonObject { ["Boot"] = boot };
    }

    /// <summary>Reads the Boot object; absent or unknown values read as "no override".</summary>
    public static BootSettings ParseBoot(JsonObject? boot)
    {
        var enabled = Text(boot, "BootSourceOverrideEnabled");
        var device = Text(boot, "BootSourceOverrideTarget") switch
        {
            "Pxe" => BootDevice.Pxe,
            "Hdd" => BootDevice.Disk,
            "BiosSetup" => BootDevice.BiosSetup,
            _ => BootDevice.None,
        };
        if (enabled is null or "Disabled") device = BootDevice.None;
        return new BootSettings(device, Persistent: enabled == "Continuous", Uefi: Text(boot, "BootSourceOverrideMode") == "UEFI");
    }

    /// <summary>A property's allowable values, or null when the service does not say (then anything goes).</summary>
    public static IReadOnlyList<string>? AllowableValues(JsonObject? owner, string property) =>
        owner?[property + Allowable] is JsonArray values ? [.. values.Select(v => v?.ToString()).OfType<string>()] : null;

    /// <summary>A string property, or null when absent, null, or not a string (vendors omit freely).</summary>
    public static string? Text(JsonObject? owner, string property) =>
        owner?[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string? Link(JsonObject? owner, string property) => Text(owner?[property] as JsonObject, "@odata.id");
}
