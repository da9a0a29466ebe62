namespace Ingot.Client;

/// <summary>The lifecycle states of a machine (DESIGN.md §2).</summary>
public enum MachineState { New, Available, Allocated, Installing, InUse, Recycling, Broken, Decommissioned }

/// <summary>What moves a machine from one state to another; the table lives in the server's Lifecycle.</summary>
public enum Trigger { Commission, Allocate, Install, FinishInstall, Reimage, Recycle, FinishRecycle, Fail, Repair, Decommission, Abandon }

public sealed record TransitionRequest(string? Trigger, string? Reason);

public sealed record MaintenanceRequest(bool? Enabled, string? Reason);

public sealed record HistoryEntry(
    long Id, MachineState? From, MachineState To, string Trigger, string Actor, string? Reason, DateTimeOffset At);
