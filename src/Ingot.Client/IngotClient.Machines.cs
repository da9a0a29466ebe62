namespace Ingot.Client;

public sealed partial class IngotClient
{
    public Task<Page<MachineView>> SearchMachinesAsync(MachineQuery query, CancellationToken ct = default) =>
        GetAsync<Page<MachineView>>("api/v1/machines" + Query(
            ("site", query.Site), ("rack", query.Rack), ("sku", query.Sku), ("state", query.State),
            ("role", query.Role), ("owner", query.Owner), ("tag", query.Tag), ("maintenance", query.Maintenance),
            ("hostname_prefix", query.HostnamePrefix), ("q", query.Q), ("limit", query.Limit),
            ("after", query.After), ("count", query.Count ? true : null), ("bmc_health", query.BmcHealth)), ct);

    /// <summary>The machine's BMC health as it changed, newest first.</summary>
    public Task<List<BmcHealthChange>> GetBmcHealthAsync(string machine, CancellationToken ct = default) =>
        GetAsync<List<BmcHealthChange>>($"api/v1/machines/{Segment(machine)}/bmc-health", ct);

    /// <param name="machine">A machine id, hardware_name or hostname.</param>
    /// <summary>Which job actions the caller may take on the machine, and why not.</summary>
    public Task<List<MachineActionView>> GetMachineActionsAsync(string machine, CancellationToken ct = default) =>
        GetAsync<List<MachineActionView>>($"api/v1/machines/{Segment(machine)}/actions", ct);

    public Task<MachineView> GetMachineAsync(string machine, CancellationToken ct = default) =>
        GetAsync<MachineView>($"api/v1/machines/{Segment(machine)}", ct);
    public Task<MachineView> CreateMachineAsync(MachineCreate machine, CancellationToken ct = default) =>
        PostAsync<MachineView>("api/v1/machines", machine, ct);
    public Task<MachineView> UpdateMachineAsync(string machine, MachineUpdate update, CancellationToken ct = default) =>
        PatchAsync<MachineView>($"api/v1/machines/{Segment(machine)}", update, ct);
    public Task DeleteMachineAsync(string machine, CancellationToken ct = default) =>
        DeleteAsync($"api/v1/machines/{Segment(machine)}", ct);

    public Task<MachineView> TransitionAsync(string machine, string trigger, string? reason = null, CancellationToken ct = default) =>
        PostAsync<MachineView>($"api/v1/machines/{Segment(machine)}/transitions", new TransitionRequest(trigger, reason), ct);
    public Task<MachineView> SetMaintenanceAsync(string machine, bool enabled, string? reason = null, CancellationToken ct = default) =>
        PostAsync<MachineView>($"api/v1/machines/{Segment(machine)}/maintenance", new MaintenanceRequest(enabled, reason), ct);
    public Task<IReadOnlyList<HistoryEntry>> HistoryAsync(string machine, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<HistoryEntry>>($"api/v1/machines/{Segment(machine)}/history", ct);

    public Task<ImportResult> ImportMachinesAsync(string csv, bool dryRun = false, CancellationToken ct = default) =>
        PostTextAsync<ImportResult>("api/v1/machines/import" + Query(("dry_run", dryRun ? true : null)), csv, "text/csv", ct);
}
