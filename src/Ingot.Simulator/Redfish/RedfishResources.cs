using System.Text.Json.Nodes;
using Ingot.Bmc;

namespace Ingot.Simulator.Redfish;

/// <summary>The JSON resources of a simulated Redfish service, with the properties DMTF's schemas define
/// and that clients (ours, sushy, the DMTF tools) look for: @odata.id and @odata.type on every resource,
/// Id, Name, PowerState, Boot with allowable targets, and the Reset action with its target and values.
/// Processors and Memory are in <see cref="RedfishHardware"/>, the Manager and Chassis in <see cref="RedfishEnclosure"/>.</summary>
internal static class RedfishResources
{
    public const string Versions = "/redfish";
    public const string Root = "/redfish/v1/";
    public const string Systems = "/redfish/v1/Systems";
    public const string System = "/redfish/v1/Systems/1";
    public const string ResetTarget = "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset";
    public const string ResetActionInfo = "/redfish/v1/Systems/1/ResetActionInfo";
    public const string SessionService = "/redfish/v1/SessionService";
    public const string Sessions = "/redfish/v1/SessionService/Sessions";
    public const string Processors = "/redfish/v1/Systems/1/Processors";
    public const string Memory = "/redfish/v1/Systems/1/Memory";
    public const string Managers = "/redfish/v1/Managers";
    public const string Manager = "/redfish/v1/Managers/1";
    public const string Chassis = "/redfish/v1/Chassis";
    public const string OneChassis = "/redfish/v1/Chassis/1";

    /// <summary>DSP0266's version document at /redfish: each protocol version the service speaks and its root.
    /// Clients such as redfishtool read it before anything else.</summary>
    public static JsonObject VersionDocument() => new() { ["v1"] = Root };

    public static JsonObject ServiceRoot(RedfishBmcState state)
    {
        var root = Resource(Root, "#ServiceRoot.v1_15_0.ServiceRoot", "RootService", "Root Service");
        root["RedfishVersion"] = "1.17.0";
        root["UUID"] = state.Bmc.Guid.ToString();
        root["Systems"] = Link(Systems);
        root["Managers"] = Link(Managers);
        root["Chassis"] = Link(Chassis);
        // A service without sessions does not advertise them, as such BMCs do; clients then try the
        // spec's default path, get 404, and fall back to basic auth.
        if (state.Profile.Sessions)
        {
            root["SessionService"] = Link(SessionService);
            root["Links"] = new JsonObject { ["Sessions"] = Link(Sessions) };
        }
        return root;
    }

    public static JsonObject SystemCollection() =>
        Collection(Systems, "#ComputerSystemCollection.ComputerSystemCollection", "Computer System Collection", [System]);

    public static JsonObject ComputerSystem(RedfishBmcState state)
    {
        var bmc = state.Bmc;
        var profile = state.Profile;
        var system = Resource(System, "#ComputerSystem.v1_20_0.ComputerSystem", "1", bmc.Name);
        system["SystemType"] = "Physical";
        system["Manufacturer"] = profile.Manufacturer;
        system["Model"] = profile.Model;
        system["SerialNumber"] = bmc.Name;
        system["BiosVersion"] = profile.BiosVersion;
        system["UUID"] = bmc.Guid.ToString();
        system["PowerState"] = bmc.Power == PowerState.On ? "On" : "Off";
        system["Status"] = Healthy();
        system["Boot"] = Boot(bmc.Boot, profile);
        system["ProcessorSummary"] = RedfishHardware.ProcessorSummary(profile);
        system["MemorySummary"] = RedfishHardware.MemorySummary(profile);
        system["Processors"] = Link(Processors);
        system["Memory"] = Link(Memory);
        system["Links"] = new JsonObject
        {
            ["ManagedBy"] = new JsonArray(Link(Manager)),
            ["Chassis"] = new JsonArray(Link(OneChassis)),
        };
        system["Actions"] = new JsonObject
        {
            ["#ComputerSystem.Reset"] = new JsonObject { ["target"] = ResetTarget },
        };
        var reset = system["Actions"]!["#ComputerSystem.Reset"]!;
        if (profile.ResetTypesInActionInfo) reset["@Redfish.ActionInfo"] = ResetActionInfo;
        else if (profile.AdvertiseAllowableValues) reset["ResetType@Redfish.AllowableValues"] = Strings(profile.ResetTypes);
        return system;
    }

    public static JsonObject ResetInfo(RedfishProfile profile)
    {
        var info = Resource(ResetActionInfo, "#ActionInfo.v1_4_0.ActionInfo", "ResetActionInfo", "Reset Action Info");
        info["Parameters"] = new JsonArray(new JsonObject
        {
            ["Name"] = "ResetType",
            ["Required"] = true,
            ["DataType"] = "String",
            ["AllowableValues"] = Strings(profile.ResetTypes),
        });
        return info;
    }

    public static JsonObject SessionServiceResource()
    {
        var service = Resource(SessionService, "#SessionService.v1_1_9.SessionService", "SessionService", "Session Service");
        service["ServiceEnabled"] = true;
        service["SessionTimeout"] = 600;
        service["Sessions"] = Link(Sessions);
        return service;
    }

    public static JsonObject Session(string id, string user)
    {
        var session = Resource($"{Sessions}/{id}", "#Session.v1_7_0.Session", id, "User Session");
        session["UserName"] = user;
        return session;
    }

    /// <summary>A Redfish error body: a Base registry message id and a human message, also as extended info.</summary>
    public static JsonObject Error(string messageId, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = $"Base.1.18.{messageId}",
            ["message"] = message,
            ["@Message.ExtendedInfo"] = new JsonArray(new JsonObject
            {
                ["@odata.type"] = "#Message.v1_2_0.Message",
                ["MessageId"] = $"Base.1.18.{messageId}",
                ["Message"] = message,
                ["Severity"] = "Critical",
            }),
        },
    };

    private static JsonObject Boot(BootSettings boot, RedfishProfile profile)
    {
        var json = new JsonObject
        {
            ["BootSourceOverrideTarget"] = boot.Device switch
            {
                BootDevice.Pxe => "Pxe",
                BootDevice.Disk => "Hdd",
                BootDevice.BiosSetup => "BiosSetup",
                _ => "None",
            },
            ["BootSourceOverrideEnabled"] = boot.Device == BootDevice.None ? "Disabled" : boot.Persistent ? "Continuous" : "Once",
            ["BootSourceOverrideMode"] = boot.Uefi ? "UEFI" : "Legacy",
        };
        if (profile.AdvertiseAllowableValues) json["BootSourceOverrideTarget@Redfish.AllowableValues"] = Strings(profile.BootTargets);
        return json;
    }

    public static JsonObject Collection(string id, string type, string name, IReadOnlyList<string> members)
    {
        var collection = Resource(id, type, null, name);
        collection["Members"] = new JsonArray([.. members.Select(m => (JsonNode)Link(m))]);
        collection["Members@odata.count"] = members.Count;
        return collection;
    }

    public static JsonObject Resource(string id, string type, string? resourceId, string name)
    {
        var resource = new JsonObject { ["@odata.id"] = id, ["@odata.type"] = type };
        if (resourceId is not null) resource["Id"] = resourceId;
        resource["Name"] = name;
        return resource;
    }

    /// <summary>Status of an enabled, healthy resource; HealthRollup speaks for what it contains too.</summary>
    public static JsonObject Healthy() => new() { ["State"] = "Enabled", ["Health"] = "OK", ["HealthRollup"] = "OK" };

    public static JsonObject Link(string id) => new() { ["@odata.id"] = id };

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
