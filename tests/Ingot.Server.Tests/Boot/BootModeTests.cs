using System.Net;
using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Server.Tests.Jobs;

namespace Ingot.Server.Tests.Boot;

public sealed class BootModeFixture() : SimulatedFleetServer("127.0.14.1", 8);

/// <summary>Issue 11 E.2: every job asked the BMC for UEFI, even for a machine whose iPXE reports <c>platform=pcbios</c>.
/// A machine's boot mode is learned from its iPXE, overridden per machine or SKU, and the jobs' boot steps keep it.</summary>
public sealed class BootModeTests(BootModeFixture fleet) : IClassFixture<BootModeFixture>
{
    private IngotClient Admin => fleet.Server.Admin;

    private async Task BootAsync(MachineView machine, string platform)
    {
        using var http = fleet.Server.Http(token: "");
        using var response = await http.GetAsync($"boot/ipxe?mac={machine.Nics[0].Mac}&platform={platform}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The mode is learned from the boot that takes an install's token (issue 11 B.1: not from any request for a
    /// script, which anyone can send with any platform): the first reimage asks for the default, UEFI, and learns that the
    /// machine's iPXE runs under a legacy BIOS; the next one asks the BMC for legacy.</summary>
    [Fact]
    public async Task A_machine_whose_ipxe_reports_pcbios_is_reimaged_in_legacy_mode()
    {
        var image = (await Admin.CreateImageAsync(new ImageCreate(Unique.Name("debian"), ImageKind.Install, "http://images.example/vmlinuz",
            "http://images.example/initrd.img", "console=ttyS0", "debian-12", DeadlineSeconds: 600))).Name;
        var (machine, bmc) = await fleet.MachineAsync();
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" })
            await Admin.TransitionAsync(machine.HardwareName, trigger);
        await BootAsync(machine, "pcbios"); // a boot that takes no token teaches nothing
        Assert.Null((await Admin.GetMachineAsync(machine.HardwareName)).ReportedBootMode);
        var installer = new TestInstaller(fleet.Server.Url, bmc, machine.Nics[0].Mac) { Platform = "pcbios" };

        var first = await ReimageAsync(machine, image);
        Assert.True(first.Status == JobStatus.Succeeded, $"{first.Status}: {first.Error}");
        Assert.Equal(new BootSettings(BootDevice.Pxe, Uefi: true), Assert.Single(installer.NetworkBoots));
        var job = await ReimageAsync(machine, image);

        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(new BootSettings(BootDevice.Pxe, Uefi: false), installer.NetworkBoots[^1]);
        Assert.Equal(new BootSettings(BootDevice.Disk, Persistent: true, Uefi: false), bmc.Boot);
        Assert.Contains("(next boot only, legacy)", job.Steps.Single(s => s.Name == "set_boot_pxe").Message);
        var after = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(("legacy", "reported", "legacy"), (after.BootMode, after.BootModeSource, after.ReportedBootMode));
    }

    private async Task<JobView> ReimageAsync(MachineView machine, string image)
    {
        var submitted = await Admin.SubmitJobAsync(machine.HardwareName, JobActions.Reimage,
            new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement(image) }, force: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await Admin.WaitForJobAsync(submitted.Id, TimeSpan.FromMilliseconds(50), timeout.Token);
    }

    [Fact]
    public async Task The_machines_override_beats_its_skus_which_beats_what_ipxe_reported()
    {
        var sku = await Admin.CreateSkuAsync(new SkuCreate(Unique.Name("legacy-box"), 8, 32, 1, 480, 1, BootMode: "legacy"));
        Assert.Equal("legacy", sku.BootMode);
        var (created, _) = await fleet.MachineAsync();
        Assert.Equal(("uefi", "default", null), (created.BootMode, created.BootModeSource, created.ReportedBootMode));
        // A discovered machine's iPXE reported UEFI when it booted the discovery image.
        var report = new DiscoveryReport(Unique.Serial(), CpuCores: 8, MemoryGb: 32, Nics: [new NicInput(Unique.Mac(), "eth0")]);
        var discovered = (await DiscoveryImage.ReportAsync(fleet.Server, report, platform: "efi")).Machine;
        var machine = await Admin.UpdateMachineAsync(discovered.HardwareName, new MachineUpdate(Sku: sku.Name));

        var view = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(("legacy", "sku", "uefi"), (view.BootMode, view.BootModeSource, view.ReportedBootMode));
        view = await Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(BootMode: "UEFI"));
        Assert.Equal(("uefi", "machine"), (view.BootMode, view.BootModeSource));
        view = await Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(BootMode: ""));
        Assert.Equal(("legacy", "sku"), (view.BootMode, view.BootModeSource));
        Assert.Null((await Admin.UpdateSkuAsync(sku.Name, new SkuCreate(null, null, null, null, null, null, BootMode: ""))).BootMode);
        view = await Admin.GetMachineAsync(machine.HardwareName);
        Assert.Equal(("uefi", "reported"), (view.BootMode, view.BootModeSource));

        var refused = await Assert.ThrowsAsync<IngotApiException>(() => Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(BootMode: "bios")));
        Assert.Equal(422, refused.Problem.Status);
        Assert.Contains("'bios' is not a boot mode: uefi or legacy", refused.Problem.Errors!["boot_mode"][0]);
    }

    [Fact]
    public async Task A_set_boot_device_job_without_a_mode_keeps_the_machines()
    {
        var (machine, bmc) = await fleet.MachineAsync();
        await Admin.UpdateMachineAsync(machine.HardwareName, new MachineUpdate(BootMode: "legacy"));
        var job = await fleet.RunAsync(machine, JobActions.SetBootDevice,
            new Dictionary<string, JsonElement> { ["device"] = JsonSerializer.SerializeToElement("pxe") });
        Assert.True(job.Status == JobStatus.Succeeded, $"{job.Status}: {job.Error}");
        Assert.Equal(new BootSettings(BootDevice.Pxe, Uefi: false), bmc.Boot);
        Assert.Equal("legacy", job.Result!["mode"].GetString());
    }

    [Fact]
    public async Task A_discovered_machine_starts_with_the_mode_its_discovery_boot_reported()
    {
        var report = new DiscoveryReport(Unique.Serial(), CpuCores: 8, MemoryGb: 32, Nics: [new NicInput(Unique.Mac(), "eth0")]);
        var result = await DiscoveryImage.ReportAsync(fleet.Server, report, platform: "pcbios");
        var machine = await Admin.GetMachineAsync(result.Machine.HardwareName);
        Assert.Equal(("legacy", "reported"), (machine.BootMode, machine.BootModeSource));
    }
}
