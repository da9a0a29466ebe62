using System.Text.Json.Nodes;
using static Ingot.Simulator.Redfish.RedfishResources;

namespace Ingot.Simulator.Redfish;

/// <summary>The hardware a simulated system reports, from its <see cref="RedfishProfile"/>: the Processors and
/// Memory collections of the ComputerSystem and their summaries on the system itself. Ironic's inspection reads
/// both through sushy (the logical CPU count is the sum of the processors' TotalThreads, the memory size is
/// MemorySummary.TotalSystemMemoryGiB), so each property is what DMTF's Processor and Memory schemas define.</summary>
internal static class RedfishHardware
{
    public static JsonObject ProcessorSummary(RedfishProfile profile) => new()
    {
        ["Count"] = profile.Processors,
        ["CoreCount"] = profile.Processors * profile.CoresPerProcessor,
        ["LogicalProcessorCount"] = profile.Processors * profile.CoresPerProcessor * profile.ThreadsPerCore,
        ["Model"] = profile.ProcessorModel,
        ["Status"] = Healthy(),
    };

    public static JsonObject MemorySummary(RedfishProfile profile) => new()
    {
        ["TotalSystemMemoryGiB"] = profile.MemoryModules * profile.ModuleGiB,
        ["Status"] = Healthy(),
    };

    public static JsonObject ProcessorCollection(RedfishProfile profile) =>
        Collection(Processors, "#ProcessorCollection.ProcessorCollection", "Processors Collection",
            [.. ProcessorIds(profile).Select(id => $"{Processors}/{id}")]);

    /// <summary>One processor, or null for an id the system does not have.</summary>
    public static JsonObject? Processor(RedfishProfile profile, string id)
    {
        if (!ProcessorIds(profile).Contains(id)) return null;
        var processor = Resource($"{Processors}/{id}", "#Processor.v1_18_0.Processor", id, $"Processor {id[3..]}");
        processor["Socket"] = id;
        processor["ProcessorType"] = "CPU";
        processor["ProcessorArchitecture"] = "x86";
        processor["InstructionSet"] = "x86-64";
        processor["Manufacturer"] = profile.Manufacturer;
        processor["Model"] = profile.ProcessorModel;
        processor["MaxSpeedMHz"] = 3700;
        processor["TotalCores"] = profile.CoresPerProcessor;
        processor["TotalThreads"] = profile.CoresPerProcessor * profile.ThreadsPerCore;
        processor["Status"] = Healthy();
        return processor;
    }

    public static JsonObject MemoryCollection(RedfishProfile profile) =>
        Collection(Memory, "#MemoryCollection.MemoryCollection", "Memory Module Collection",
            [.. ModuleIds(profile).Select(id => $"{Memory}/{id}")]);

    /// <summary>One memory module, or null for an id the system does not have.</summary>
    public static JsonObject? MemoryModule(RedfishProfile profile, string id)
    {
        if (!ModuleIds(profile).Contains(id)) return null;
        var module = Resource($"{Memory}/{id}", "#Memory.v1_17_0.Memory", id, $"DIMM {id[4..]}");
        module["MemoryType"] = "DRAM";
        module["MemoryDeviceType"] = "DDR5";
        module["CapacityMiB"] = profile.ModuleGiB * 1024;
        module["OperatingSpeedMhz"] = 4800;
        module["DeviceLocator"] = id;
        module["Manufacturer"] = profile.Manufacturer;
        module["Status"] = Healthy();
        return module;
    }

    private static IEnumerable<string> ProcessorIds(RedfishProfile profile) =>
        Enumerable.Range(1, profile.Processors).Select(n => $"CPU{n}");

    private static IEnumerable<string> ModuleIds(RedfishProfile profile) =>
        Enumerable.Range(1, profile.MemoryModules).Select(n => $"DIMM{n}");
}
