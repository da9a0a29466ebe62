using Ingot.Client;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Reclaim;

/// <summary>`ingot reclaim` against a server without workers: the dry run's table, the run's guard, and the batch it made.</summary>
public sealed class ReclaimCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_dry_run_shows_each_machine_and_why_and_a_run_needs_the_count_it_showed()
    {
        var site = (await Server.Admin.CreateSiteAsync(new SiteCreate(Unique.Name("site")))).Name;
        var m = await Server.Admin.CreateMachineAsync(new MachineCreate(Unique.Serial(), Site: site, Bmc: new BmcInput("ipmi", "127.0.9.9", 623, "admin", "password")));
        foreach (var trigger in new[] { "commission", "allocate", "install", "finish_install" }) await Server.Admin.TransitionAsync(m.HardwareName, trigger);
        if ((await Server.Admin.ListImagesAsync()).All(i => i.Kind != ImageKind.Wipe))
            await Server.Admin.CreateImageAsync(new ImageCreate(Unique.Name("wipe"), ImageKind.Wipe, "http://images.invalid/wk", "http://images.invalid/wi"));
        using var cli = CliRunner.For(Server);

        var dry = await cli.OkAsync("reclaim", "--dry-run", "--site", site);
        Assert.Contains("1 machine(s) to recycle (lease_expired 0, unowned_role 1, never_installed 0, defunct 0)", dry.Out);
        Assert.Equal([m.HardwareName, "in_use", site, "-", "-", "unowned_role", "in_use", "with", "no", "role"], Lines.Row(dry.Out, m.HardwareName));

        Assert.Contains("look first with --dry-run, then run with --expect N", (await cli.FailsAsync(2, "reclaim", "--site", site)).Error);
        Assert.Contains("lists 1 machine(s) now, not 2", (await cli.FailsAsync(1, "reclaim", "--site", site, "--expect", "2")).Error);
        Assert.Equal(MachineState.InUse, (await Server.Admin.GetMachineAsync(m.HardwareName)).State);

        var run = (await cli.OkAsync("reclaim", "--site", site, "--expect", "1", "-o", "json")).Json<ReclaimRun>();
        var batch = Assert.Single(run.Batches);
        Assert.Equal((JobActions.Recycle, 1), (batch.Action, batch.Hosts));
        Assert.Equal(m.Id, Assert.Single(run.Report.Machines).MachineId);
    }
}
