using Ingot.Client;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Demo;

/// <summary>The README's first command: `ingot demo` must come up with a usable sample fleet and tell the
/// user how to reach it.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_serves_a_sample_fleet_and_prints_url_token_and_commands_that_work()
    {
        var data = Directory.CreateTempSubdirectory("ingot-demo-test-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        var buffer = new StringWriter();
        var stdout = TextWriter.Synchronized(buffer);
        string Printed() { lock (stdout) return buffer.ToString(); }
        using var stop = new CancellationTokenSource();
        var context = new CliContext(stdout, TextWriter.Synchronized(new StringWriter()), _ => null, Path.Combine(data, "config.json"), TextReader.Null);
        var demo = Cli.RunAsync(["demo", "--data", data, "--url", url, "--machines", "120"], context, stop.Token);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Printed().Contains("Try, in another terminal") && !demo.IsCompleted && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var banner = Printed();
        Assert.False(demo.IsCompleted, $"the demo stopped early:\n{banner}");
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim();
        Assert.Contains(url, banner);
        Assert.Contains(token, banner);

        var client = new IngotClient(new Uri(url + "/"), token);
        var all = await client.SearchMachinesAsync(new MachineQuery(Count: true, Limit: 1));
        Assert.Equal(120, all.Total);
        foreach (var site in new[] { "lon1", "ash2", "sfo3" })
            foreach (var state in new[] { "new", "available", "in_use" })
                Assert.True((await client.SearchMachinesAsync(new MachineQuery(Site: site, State: state, Count: true, Limit: 1))).Total > 0,
                    $"the sample fleet has no '{state}' machine in {site}");
        Assert.True((await client.SearchMachinesAsync(new MachineQuery(State: "broken", Count: true, Limit: 1))).Total > 0);
        Assert.True((await client.SearchMachinesAsync(new MachineQuery(Maintenance: true, Count: true, Limit: 1))).Total > 0);

        // The commands the banner suggests name machines that exist and work.
        var show = banner.Split('\n').Single(l => l.Contains("machines show")).Trim().Split(' ')[^1];
        Assert.Equal(MachineState.InUse, (await client.GetMachineAsync(show)).State);
        var fresh = banner.Split('\n').Single(l => l.Contains("machines transition")).Trim().Split(' ')[7];
        Assert.Equal(MachineState.Available, (await client.TransitionAsync(fresh, "commission")).State);

        stop.Cancel();
        Assert.Equal(0, await demo);
        Directory.Delete(data, recursive: true);
    }

}
