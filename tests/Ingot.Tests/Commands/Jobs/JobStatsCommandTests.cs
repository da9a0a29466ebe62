using Ingot.Client;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Jobs;

/// <summary>jobs stats over jobs the broker really ran, on a site of the test's own so other tests' jobs stay out.</summary>
public sealed class JobStatsCommandTests(JobServerFixture fixture) : IClassFixture<JobServerFixture>
{
    [Fact]
    public async Task Stats_of_a_site_show_its_jobs_by_action_and_sku_with_their_steps_and_json_parses()
    {
        var admin = fixture.Server.Admin;
        var site = Server.Tests.Infrastructure.Unique.Name("stats");
        await admin.CreateSiteAsync(new SiteCreate(site));
        for (var i = 0; i < 2; i++)
        {
            var (machine, _) = await fixture.MachineAsync(site);
            var job = await admin.SubmitJobAsync(machine.HardwareName, JobActions.PowerCycle);
            Assert.Equal(JobStatus.Succeeded, (await admin.WaitForJobAsync(job.Id, TimeSpan.FromMilliseconds(50))).Status);
        }
        using var cli = CliRunner.For(fixture.Server);

        var result = await cli.OkAsync("jobs", "stats", "--since", "1h", "--site", site, "--steps");

        Assert.Equal("", result.Error);
        var lines = Lines.Of(result.Out);
        var header = Array.FindIndex(lines, l => l.StartsWith("ACTION", StringComparison.Ordinal) && l.Contains("SITE"));
        Assert.Equal(["ACTION", "SITE", "SKU", "JOBS", "OK", "FAILED", "CANCELLED", "ACTIVE", "SUCCESS", "RUN-P50", "RUN-P95", "RUN-MAX", "LAG-P50", "LAG-P95", "LAG-MAX"],
            Lines.Cells(lines[header]));
        var row = Lines.Cells(lines[header + 1]);
        Assert.Equal(["power_cycle", site, "-", "2", "2", "0", "0", "0", "100%"], row[..9]);
        Assert.All(row[9..], cell => Assert.Matches(@"^\d+(\.\d)?s$|^\d+m\d\ds$", cell)); // measured durations, not '-'
        var steps = Array.FindIndex(lines, l => l.StartsWith("ACTION", StringComparison.Ordinal) && l.Contains("STEP"));
        Assert.Equal(["power_off", "power_on"], lines[(steps + 1)..].Select(Lines.Cells).Where(r => r.Length > 2 && r[0] == "power_cycle").Select(r => r[1]));

        var json = (await cli.OkAsync("jobs", "stats", "--site", site, "--source", "single", "-o", "json")).Json<JobStats>();
        Assert.Equal(("single", 2L), (json.Source, Assert.Single(json.Groups).Succeeded));
        Assert.Contains("no jobs in this window", (await cli.OkAsync("jobs", "stats", "--site", site, "--source", "batch")).Out);
    }

    [Fact]
    public async Task Stats_refuse_an_unknown_source_and_an_unknown_site_by_name()
    {
        using var cli = CliRunner.For(fixture.Server);
        var source = await cli.RunAsync("jobs", "stats", "--source", "sideways");
        Assert.True(source.ExitCode == 1 && source.Error.Contains("sideways"), source.ToString());
        var unknown = await cli.FailsAsync(1, "jobs", "stats", "--site", "no-such-site");
        Assert.Contains("no-such-site", unknown.Error);
    }
}
