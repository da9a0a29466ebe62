using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Inventory;
using Ingot.Server.Data;

namespace Ingot.Server.Boot;

/// <summary>Chooses what a booting machine gets from its state (DESIGN.md §2, docs/boot.md): the installer of the
/// image its install job names, the wipe image while a wipe job waits, the discovery image for a MAC nobody knows,
/// the local disk otherwise. A token is issued with every image script.</summary>
public static class BootDecision
{
    private sealed class MachineRow
    {
        public long Id { get; init; }
        public string State { get; init; } = "";
        public bool Maintenance { get; init; }
        public string? ReportedBootMode { get; init; }
    }

    private sealed class JobRow
    {
        public long Id { get; init; }
        public string Action { get; init; } = "";
        public int Attempt { get; init; }
        public string Params { get; init; } = "{}";
    }

    /// <param name="reportedMode">The boot mode iPXE's platform says (null when the chain URL carried none): recorded on
    /// the machine (<see cref="BootModes"/>), or on the discovery token of a MAC nobody knows yet.</param>
    public static async Task<string> ScriptAsync(DataContext c, string mac, bool efi, string? reportedMode, string server, DateTimeOffset now)
    {
        var machine = await c.QuerySingleOrDefaultAsync<MachineRow>(
            "SELECT m.id, m.state, m.maintenance, m.reported_boot_mode FROM machines m JOIN nics n ON n.machine_id = m.id WHERE n.mac = @mac",
            new { mac });
        if (machine is null) return await DiscoveryAsync(c, mac, efi, reportedMode, server, now);
        if (reportedMode is not null && reportedMode != machine.ReportedBootMode)
            await BootModes.RecordReportedAsync(c, machine.Id, reportedMode, now);
        if (machine.Maintenance) return IpxeScripts.Local(efi, "in maintenance");

        // The machine's running job decides: an install (the machine is 'installing') boots its image, a recycle,
        // decommission or wipe_disks the wipe image; everything else boots the disk.
        var job = await c.QueryFirstOrDefaultAsync<JobRow>(
            "SELECT id, action, attempt, params FROM jobs WHERE machine_id = @id AND status = 'running' ORDER BY id DESC LIMIT 1",
            new { id = machine.Id });
        var installs = job is { Action: JobActions.Install or JobActions.Reimage } && machine.State == "installing";
        var wipes = job is not null && Jobs.JobPlans.Wipes(job.Action);
        if (!installs && !wipes) return IpxeScripts.Local(efi, machine.State);
        var imageName = Jobs.JobPlans.ImageName(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(job!.Params) ?? []);
        var image = installs
            ? imageName is { Length: > 0 } ? await ImageRow.FindAsync(c, imageName) : null
            : await ImageRow.OfKindAsync(c, ImageKind.Wipe);
        if (image is null) return IpxeScripts.Local(efi, $"{machine.State}, but the image its job {job.Id} needs is not in the catalog");

        var mode = installs ? "install" : "wipe";
        var token = await BootTokens.IssueAsync(c, mode, job.Id, job.Attempt, machine.Id, mac, now.AddSeconds(image.DeadlineSeconds), now);
        var intent = mode == "install" ? $"install {image.Name} job {job.Id}" : $"wipe job {job.Id}";
        return IpxeScripts.Image(new ImageBoot(intent, mode, image.KernelUrl, image.InitrdUrl, image.Cmdline, server, token, mac));
    }

    private static async Task<string> DiscoveryAsync(DataContext c, string mac, bool efi, string? reportedMode, string server, DateTimeOffset now)
    {
        var image = await ImageRow.OfKindAsync(c, ImageKind.Discovery);
        if (image is null) return IpxeScripts.Local(efi, "unknown MAC, and no discovery image is configured");
        var token = await BootTokens.IssueAsync(c, "discover", null, null, null, mac, now.AddSeconds(image.DeadlineSeconds), now, reportedMode);
        return IpxeScripts.Image(new ImageBoot("discover", "discover", image.KernelUrl, image.InitrdUrl, image.Cmdline, server, token, mac));
    }
}
