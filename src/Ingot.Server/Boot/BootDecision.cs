using System.Text.Json;
using Ingot.Client;
using Ingot.Server.Inventory;
using Ingot.Server.Data;

namespace Ingot.Server.Boot;

/// <summary>A boot script, and what the operator should hear about the request that got it (null: nothing).</summary>
public sealed record BootAnswer(string Script, string? Warning = null);

/// <summary>Chooses what a booting machine gets from its state (DESIGN.md §2, docs/boot.md): the installer of the
/// image its install job names, the wipe image while a wipe job waits, the discovery image for a MAC nobody knows,
/// the local disk otherwise. A job attempt's image script carries its one boot token, so it goes to one boot only: the
/// first fetch after the attempt powered the machine on; any later fetch of that attempt boots the disk.</summary>
public static class BootDecision
{
    private sealed class MachineRow
    {
        public long Id { get; init; }
        public string HardwareName { get; init; } = "";
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

        /// <summary>Whether this attempt has begun powering the machine on (its network-boot step is no longer pending).</summary>
        public long Booting { get; init; }
    }

    /// <param name="reportedMode">The boot mode iPXE's platform says (null when the chain URL carried none): recorded on
    /// the machine (<see cref="BootModes"/>) by the boot that takes a job attempt's token, or on the discovery token of a
    /// MAC nobody knows yet. Other boots do not change it: anyone can ask for a script with any platform.</param>
    public static async Task<BootAnswer> ScriptAsync(DataContext c, string mac, bool efi, string? reportedMode, string server, DateTimeOffset now)
    {
        var machine = await c.QuerySingleOrDefaultAsync<MachineRow>(
            "SELECT m.id, m.hardware_name, m.state, m.maintenance, m.reported_boot_mode FROM machines m JOIN nics n ON n.machine_id = m.id WHERE n.mac = @mac",
            new { mac });
        if (machine is null) return new(await DiscoveryAsync(c, mac, efi, reportedMode, server, now));
        if (machine.Maintenance) return new(IpxeScripts.Local(efi, "in maintenance"));

        // The machine's running job decides: an install (the machine is 'installing') boots its image, a recycle,
        // decommission or wipe_disks the wipe image; everything else boots the disk.
        var job = await c.QueryFirstOrDefaultAsync<JobRow>(
            """
            SELECT j.id, j.action, j.attempt, j.params,
                   (SELECT COUNT(*) FROM job_steps s WHERE s.job_id = j.id AND s.name = @step AND s.status <> 'pending') AS booting
            FROM jobs j WHERE j.machine_id = @id AND j.status = 'running' ORDER BY j.id DESC LIMIT 1
            """, new { id = machine.Id, step = Jobs.JobPlans.NetworkBootStep });
        var installs = job is { Action: JobActions.Install or JobActions.Reimage } && machine.State == "installing";
        var wipes = job is not null && Jobs.JobPlans.Wipes(job.Action);
        if (!installs && !wipes) return new(IpxeScripts.Local(efi, machine.State));
        var imageName = Jobs.JobPlans.ImageName(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(job!.Params) ?? []);
        var image = installs
            ? imageName is { Length: > 0 } ? await ImageRow.FindAsync(c, imageName) : null
            : await ImageRow.OfKindAsync(c, ImageKind.Wipe);
        if (image is null) return new(IpxeScripts.Local(efi, $"{machine.State}, but the image its job {job.Id} needs is not in the catalog"));

        var mode = installs ? "install" : "wipe";
        var attempt = $"job {job.Id} attempt {job.Attempt}";
        // Before the attempt powers the machine on, whatever boots is not the boot it will cause (the machine still
        // running its previous image, or anyone asking): the token waits for that boot.
        if (job.Booting == 0) return new(IpxeScripts.Local(efi, $"{machine.State}; {attempt} has not powered the machine on yet"));
        // Valid while the attempt waits: up to the image's deadline for 'started', then as long again for 'finished'.
        var token = await BootTokens.TryIssueAsync(c, mode, job.Id, job.Attempt, machine.Id, mac, now.AddSeconds(2.0 * image.DeadlineSeconds), now);
        if (token is null)
            return new(IpxeScripts.Local(efi, $"{machine.State}; {attempt} gave its boot token to an earlier boot, so this one boots the disk"),
                $"The boot script of {mode} {attempt} (machine {machine.HardwareName}, MAC {mac}) was asked for again; its boot token went to " +
                "the attempt's first boot, so this one was told to boot its disk. A second fetch is a machine that rebooted " +
                "through the network mid-install, or someone else asking for its script.");
        if (reportedMode is not null && reportedMode != machine.ReportedBootMode)
            await BootModes.RecordReportedAsync(c, machine.Id, reportedMode, now);
        var intent = mode == "install" ? $"install {image.Name} job {job.Id}" : $"wipe job {job.Id}";
        return new(IpxeScripts.Image(new ImageBoot(intent, mode, image.KernelUrl, image.InitrdUrl, image.Cmdline, server, token, mac)));
    }

    private static async Task<string> DiscoveryAsync(DataContext c, string mac, bool efi, string? reportedMode, string server, DateTimeOffset now)
    {
        var image = await ImageRow.OfKindAsync(c, ImageKind.Discovery);
        if (image is null) return IpxeScripts.Local(efi, "unknown MAC, and no discovery image is configured");
        var token = await BootTokens.IssueAsync(c, "discover", null, null, null, mac, now.AddSeconds(image.DeadlineSeconds), now, reportedMode);
        return IpxeScripts.Image(new ImageBoot("discover", "discover", image.KernelUrl, image.InitrdUrl, image.Cmdline, server, token, mac));
    }
}
