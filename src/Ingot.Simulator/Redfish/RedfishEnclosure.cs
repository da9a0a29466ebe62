using System.Text.Json.Nodes;
using Ingot.Bmc;
using static Ingot.Simulator.Redfish.RedfishResources;

namespace Ingot.Simulator.Redfish;

/// <summary>The BMC itself (the Manager) and the box the system sits in (the Chassis), linked both ways with the
/// ComputerSystem as DMTF's schemas link them (ManagedBy/ManagerForServers, Chassis/ComputerSystems). Ironic reads
/// both through sushy: the manager for its firmware and virtual media, the chassis for the physical facts.</summary>
internal static class RedfishEnclosure
{
    public static JsonObject ManagerCollection() =>
        Collection(Managers, "#ManagerCollection.ManagerCollection", "Manager Collection", [RedfishResources.Manager]);

    public static JsonObject Manager(RedfishBmcState state)
    {
        var manager = Resource(RedfishResources.Manager, "#Manager.v1_19_0.Manager", "1", "Manager");
        manager["ManagerType"] = "BMC";
        manager["Model"] = state.Profile.Model;
        manager["FirmwareVersion"] = state.Profile.FirmwareVersion;
        manager["UUID"] = state.Bmc.Guid.ToString();
        manager["PowerState"] = "On"; // the BMC runs on standby power whatever the host's state
        manager["Status"] = Healthy();
        manager["Links"] = new JsonObject
        {
            ["ManagerForServers"] = new JsonArray(Link(RedfishResources.System)),
            ["ManagerForChassis"] = new JsonArray(Link(OneChassis)),
        };
        return manager;
    }

    public static JsonObject ChassisCollection() =>
        Collection(Chassis, "#ChassisCollection.ChassisCollection", "Chassis Collection", [OneChassis]);

    public static JsonObject OneChassisResource(RedfishBmcState state)
    {
        var chassis = Resource(OneChassis, "#Chassis.v1_23_0.Chassis", "1", "Chassis");
        chassis["ChassisType"] = "RackMount";
        chassis["Manufacturer"] = state.Profile.Manufacturer;
        chassis["Model"] = state.Profile.Model;
        chassis["SerialNumber"] = state.Bmc.Name;
        chassis["PowerState"] = state.Bmc.Power == PowerState.On ? "On" : "Off";
        chassis["Status"] = Healthy();
        chassis["Links"] = new JsonObject
        {
            ["ComputerSystems"] = new JsonArray(Link(RedfishResources.System)),
            ["ManagedBy"] = new JsonArray(Link(RedfishResources.Manager)),
        };
        return chassis;
    }
}
