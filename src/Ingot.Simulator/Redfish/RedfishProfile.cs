using System.Collections.Concurrent;

namespace Ingot.Simulator.Redfish;

/// <summary>How one simulated BMC's Redfish service presents itself: which reset types and boot targets
/// it allows, whether it offers sessions, what it says it is. Vendors differ in exactly these, so tests
/// set them to reproduce a vendor's behaviour.</summary>
public sealed record RedfishProfile
{
    /// <summary>False: no SessionService (404), as on BMCs that only do basic auth.</summary>
    public bool Sessions { get; init; } = true;

    public IReadOnlyList<string> ResetTypes { get; init; } =
        ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "PowerCycle", "ForceOn"];

    public IReadOnlyList<string> BootTargets { get; init; } = ["None", "Pxe", "Hdd", "BiosSetup"];

    /// <summary>False: the lists above are enforced but not published (no @Redfish.AllowableValues), as
    /// on BMCs that predate the annotation; clients then learn of a refused value from the error.</summary>
    public bool AdvertiseAllowableValues { get; init; } = true;

    /// <summary>True: the reset types are published only in an ActionInfo resource that the action links
    /// to (@Redfish.ActionInfo), not inline on the action, as some services do.</summary>
    public bool ResetTypesInActionInfo { get; init; }

    public string Manufacturer { get; init; } = "Ingot";
    public string Model { get; init; } = "Simulated BMC";
    public string BiosVersion { get; init; } = "1.0.0-sim";
    public string FirmwareVersion { get; init; } = "1.0.0-sim-bmc";

    /// <summary>The hardware the system reports (Processors, Memory and their summaries): what Ironic's
    /// inspection reads through sushy.</summary>
    public int Processors { get; init; } = 2;
    public int CoresPerProcessor { get; init; } = 16;
    public int ThreadsPerCore { get; init; } = 2;
    public string ProcessorModel { get; init; } = "Simulated EPYC 9124";
    public int MemoryModules { get; init; } = 8;
    public int ModuleGiB { get; init; } = 16;

    public static RedfishProfile Default { get; } = new();
}

/// <summary>The Redfish side of one simulated BMC: its profile, its open sessions, and counters of how
/// clients authenticated (which tests read to tell a session login from basic auth).</summary>
public sealed class RedfishBmcState(SimulatedBmc bmc)
{
    private long sessionsCreated, sessionsDeleted, tokenRequests, basicRequests, resetRequests;

    public SimulatedBmc Bmc { get; } = bmc;
    public RedfishProfile Profile { get; set; } = RedfishProfile.Default;

    /// <summary>Open sessions: token → (session id, user name).</summary>
    internal ConcurrentDictionary<string, (string Id, string User)> Sessions { get; } = new(StringComparer.Ordinal);

    public long SessionsCreated => Interlocked.Read(ref sessionsCreated);
    public long SessionsDeleted => Interlocked.Read(ref sessionsDeleted);
    /// <summary>Requests authenticated by an X-Auth-Token.</summary>
    public long TokenRequests => Interlocked.Read(ref tokenRequests);
    /// <summary>Requests authenticated by HTTP basic auth.</summary>
    public long BasicRequests => Interlocked.Read(ref basicRequests);
    public int OpenSessions => Sessions.Count;
    /// <summary>Reset actions received, accepted or not: "nothing was sent" is checked here.</summary>
    public long ResetRequests => Interlocked.Read(ref resetRequests);

    /// <summary>Drops every session, as a BMC does when its idle timeout passes.</summary>
    public void ExpireSessions() => Sessions.Clear();

    internal void CountSessionCreated() => Interlocked.Increment(ref sessionsCreated);
    internal void CountSessionDeleted() => Interlocked.Increment(ref sessionsDeleted);
    internal void CountToken() => Interlocked.Increment(ref tokenRequests);
    internal void CountBasic() => Interlocked.Increment(ref basicRequests);
    internal void CountReset() => Interlocked.Increment(ref resetRequests);
}
