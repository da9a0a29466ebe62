using System.Text.Json;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Commands.Demo;
using Ingot.Server.Tests.Infrastructure;
using Ingot.Simulator.Ipmi;
using Ingot.Tests.Infrastructure;

namespace Ingot.Tests.Commands.Demo;

/// <summary>The README's first command: `ingot demo` must come up with a usable sample fleet, each machine with a
/// simulated BMC that answers, and tell the user how to reach it.</summary>
public sealed class DemoCommandTests
{
    // Away from the other tests' 127.0.2-3.x, 127.1.x and 127.77-79.x, and from a demo the developer may be running
    // (127.2.0.1:6230); port 0 gives every BMC a free port, so the inventory must take the ports the fleet got.
    // No unknown machines here: their discovery would change the counts this test asserts while it runs.
    private static readonly string[] BmcFlags = ["--bmc-base", "127.80.0.1", "--bmc-port", "0", "--unknown", "0"];

    [Fact]
    public async Task Demo_serves_a_sample_fleet_and_prints_url_token_and_commands_that_work()
    {
        var data = Directory.CreateTempSubdirectory("ingot-demo-test-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        await using (var demo = await RunningDemo.StartAsync(data, url, 120, BmcFlags))
        {
            var banner = demo.Banner;
            var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim();
            Assert.Contains(url, banner);
            Assert.Contains(token, banner);
            Assert.Contains("Simulated BMCs: 120 answer IPMI on 127.80.0.1:", banner);

            var client = new IngotClient(new Uri(url + "/"), token);
            var all = await client.SearchMachinesAsync(new MachineQuery(Count: true, Limit: 1000));
            Assert.Equal(120, all.Total);
            Assert.Equal(120, all.Items.Select(m => $"{m.Bmc?.Address}:{m.Bmc?.Port}").Distinct().Count()); // a BMC each
            foreach (var site in new[] { "lon1", "ash2", "sfo3" })
                foreach (var state in new[] { "new", "available", "in_use" })
                    Assert.True((await client.SearchMachinesAsync(new MachineQuery(Site: site, State: state, Count: true, Limit: 1))).Total > 0,
                        $"the sample fleet has no '{state}' machine in {site}");
            Assert.True((await client.SearchMachinesAsync(new MachineQuery(State: "broken", Count: true, Limit: 1))).Total > 0);
            Assert.True((await client.SearchMachinesAsync(new MachineQuery(Maintenance: true, Count: true, Limit: 1))).Total > 0);

            // The commands the banner suggests name machines that exist and work.
            var show = demo.Line("machines show").Split(' ')[^1];
            Assert.Equal(MachineState.InUse, (await client.GetMachineAsync(show)).State);
            var fresh = demo.Line("machines transition").Split(' ')[7];
            Assert.Equal(MachineState.Available, (await client.TransitionAsync(fresh, "commission")).State);

            // The machine's BMC, as the API records it, answers a real IPMI call: the machine runs.
            var bmc = await AssertBmcAnswersOnAsync(client, show);
            var example = demo.Line("bmc power status");
            Assert.Contains($"--driver {bmc.Driver} --host {bmc.Address} --port {bmc.Port} --user {bmc.Username}", example);
            using var cli = new CliRunner();
            var (variable, password) = (example.Split(' ')[0].Split('=')[0], example.Split(' ')[0].Split('=')[1]);
            cli.Environment[variable] = password;
            Assert.Equal("on", (await cli.OkAsync(example.Split(" -- ")[1].Split(' '))).Out.Trim());

            // The broker's power cycle, as the banner suggests it, goes through the job workers to that BMC.
            var cycle = demo.Line("power cycle");
            Assert.EndsWith($"power cycle {show} --wait", cycle);
            using var user = new CliRunner();
            user.Environment["INGOT_URL"] = url;
            user.Environment["INGOT_TOKEN"] = token;
            var cycled = await user.OkAsync(cycle.Split(" -- ")[1].Split(' '));
            Assert.Contains("succeeded", cycled.Out);
            var jobs = await client.ListJobsAsync(new JobQuery(Machine: show));
            Assert.Equal(["power_off", "power_on"], Assert.Single(jobs.Items).Steps.Select(s => s.Name));

            // The team member's lines (issue 12): her own team's machines listed, another team's machine refused, saying whose.
            var mine = demo.Line("machines list --mine");
            using var alice = new CliRunner();
            alice.Environment["INGOT_URL"] = url;
            alice.Environment["INGOT_TOKEN"] = mine.Split(' ')[0].Split('=')[1];
            var listed = await alice.OkAsync(mine.Split(" -- ")[1].Split(' '));
            Assert.Contains("frontend-", listed.Out);
            Assert.DoesNotContain("fancydb-", listed.Out);
            var refusal = demo.Line("# refused");
            var refused = await alice.FailsAsync(1, refusal.Split(" -- ")[1].Split("   #")[0].Split(' '));
            Assert.Contains("belongs to team", refused.Error);
            Assert.Contains("'alice' is in web", refused.Error);
        }

        // A restart keeps the inventory and serves the BMCs again; with port 0 they get other ports, and the
        // inventory follows them.
        await using (var again = await RunningDemo.StartAsync(data, url, 120, BmcFlags))
        {
            var client = new IngotClient(new Uri(url + "/"), (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
            Assert.DoesNotContain("Loading the sample inventory", again.Banner);
            await AssertBmcAnswersOnAsync(client, again.Line("machines show").Split(' ')[^1]);
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task No_bmcs_starts_none_and_says_so()
    {
        var data = Directory.CreateTempSubdirectory("ingot-demo-test-").FullName;
        await using (var demo = await RunningDemo.StartAsync(data, $"http://127.0.0.1:{Ports.Free()}", 12, ["--no-bmcs"]))
        {
            Assert.Contains("Simulated BMCs: none (--no-bmcs).", demo.Banner);
            Assert.DoesNotContain("bmc power status", demo.Banner);
            Assert.DoesNotContain("power cycle", demo.Banner);
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task Demo_machines_network_boot_a_reimage_and_a_recycle_and_unknown_ones_get_discovered()
    {
        var data = Directory.CreateTempSubdirectory("ingot-demo-test-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        // Its own addresses (127.81.x), a free port per BMC, and installs of a second so the jobs end quickly.
        string[] flags = ["--bmc-base", "127.81.0.1", "--bmc-port", "0", "--install-seconds", "1", "--unknown", "2"];
        await using (var demo = await RunningDemo.StartAsync(data, url, 12, flags))
        {
            var client = new IngotClient(new Uri(url + "/"), (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim());
            var images = await client.ListImagesAsync();
            Assert.Equal([("debian-12", ImageKind.Install), ("discovery", ImageKind.Discovery), ("wipe", ImageKind.Wipe)],
                images.Select(i => (i.Name, i.Kind)).Order());
            Assert.Contains("Unknown machines: 2 more", demo.Banner);

            // The reimage the banner suggests, submitted as its CLI verb would: the machine boots the installer over
            // HTTP, the installer reports back, and the machine runs the new image.
            var reimage = demo.Line(" reimage ");
            var host = reimage.Split(' ')[6];
            Assert.EndsWith($"reimage {host} --image debian-12 --force --wait", reimage);
            var job = await EndedAsync(client, await client.SubmitJobAsync(host, "reimage",
                new Dictionary<string, JsonElement> { ["image"] = JsonSerializer.SerializeToElement("debian-12") }, force: true));
            Assert.True(job.Status == JobStatus.Succeeded, Describe(job));
            var machine = await client.GetMachineAsync(host);
            Assert.Equal((MachineState.InUse, "debian-12"), (machine.State, machine.Image));
            Assert.Contains("jobs watch <job>", demo.Banner);

            // The recycle it suggests (another running machine): the wipe image erases it, and it is available again.
            var recycle = demo.Line(" recycle ");
            var other = recycle.Split(' ')[6];
            Assert.NotEqual(host, other);
            Assert.EndsWith($"recycle {other} --force --wait", recycle);
            var recycled = (await client.GetMachineAsync(other)).HardwareName; // the recycle releases the hostname
            job = await EndedAsync(client, await client.SubmitJobAsync(other, "recycle", force: true));
            Assert.True(job.Status == JobStatus.Succeeded, Describe(job));
            Assert.Equal(MachineState.Available, (await client.GetMachineAsync(recycled)).State);

            // The unknown machines PXE-booted at start: the server handed them the discovery image, they reported, and
            // the commission the server queued (with the demo's discovery BMC account) found their SKU.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            IReadOnlyList<MachineView> found;
            while ((found = (await client.SearchMachinesAsync(new MachineQuery(Q: "DEMO-NEW-", Limit: 10))).Items)
                       .Count(m => m.State == MachineState.Available) < 2 && DateTime.UtcNow < deadline)
                await Task.Delay(250);
            Assert.Equal([MachineState.Available, MachineState.Available], found.Select(m => m.State));
            Assert.All(found, m => Assert.NotNull(m.Sku));
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task The_tours_request_and_pool_fulfil_on_the_simulated_fleet_with_the_rigged_machine_replaced()
    {
        var data = Directory.CreateTempSubdirectory("ingot-demo-test-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        string[] flags = ["--bmc-base", "127.83.0.1", "--bmc-port", "0", "--install-seconds", "1", "--quiet"];
        await using (var demo = await RunningDemo.StartAsync(data, url, 150, flags))
        {
            var client = demo.Client();
            var request = demo.Line("request create");
            using var alice = new CliRunner();
            alice.Environment["INGOT_URL"] = url;
            alice.Environment["INGOT_TOKEN"] = request.Split(' ')[0].Split('=')[1];
            var failing = request.Split("# ")[1].Split(' ')[0];

            // As the banner says it: the request waits until fulfilled, the rigged machine's first attempt fails, and a
            // spare installs beside it.
            var done = await alice.OkAsync(request.Split(" -- ")[1].Split("   #")[0].Split(' '));
            Assert.Contains("fulfilled", done.Out);
            var id = Assert.Single((await client.ListRequestsAsync(new RequestQuery(User: "alice"))).Items).Id;
            var lines = (await client.GetRequestAsync(id)).Machines;
            Assert.InRange(lines.Count, 3, 4); // the two asked for, the rigged machine, and a second spare when there was one
            Assert.Equal(2, lines.Count(m => m.Status == "in_use"));
            Assert.Contains(lines, m => m.HardwareName == failing && m.Status == "installing"); // still retrying: it ends broken

            var poolLine = demo.Line("pool create");
            var created = (await alice.OkAsync([.. poolLine.Split(" -- ")[1].Split("   #")[0].Split(' '), "-o", "json"])).Json<PoolView>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((await client.GetPoolAsync(created.Id)).Status != PoolStatus.Steady) await Task.Delay(200, timeout.Token);

            var cost = demo.Line("cost --team");
            Assert.Contains("COST (USD)", (await alice.OkAsync(cost.Split(" -- ")[1].Split("   #")[0].Split(' '))).Out);
            using var admin = new CliRunner();
            admin.Environment["INGOT_URL"] = url;
            admin.Environment["INGOT_TOKEN"] = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim();
            var reclaim = demo.Line("reclaim --dry-run");
            Assert.Contains("machine(s) to recycle", (await admin.OkAsync(reclaim.Split(" -- ")[1].Split("   #")[0].Split(' '))).Out);
        }
        Directory.Delete(data, recursive: true);
    }

    [Fact]
    public async Task After_a_csv_import_and_a_restart_each_machines_bmc_reaches_the_machine_with_its_serial()
    {
        var data = Directory.CreateTempSubdirectory("ingot-demo-test-").FullName;
        var url = $"http://127.0.0.1:{Ports.Free()}";
        string[] flags = ["--bmc-base", "127.82.0.1", "--bmc-port", "0", "--install-seconds", "0", "--unknown", "2"];
        string[] imported = [Unique.Serial(), Unique.Serial()];
        await using (var demo = await RunningDemo.StartAsync(data, url, 6, flags))
        {
            var client = demo.Client();
            // The unknown machines are discovered (their BMC addresses come after the sample's), then more are imported.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await client.SearchMachinesAsync(new MachineQuery(Q: DemoFleet.UnknownPrefix, Limit: 10))).Items.Count(m => m.Bmc is not null) < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the unknown machines were not discovered");
                await Task.Delay(250);
            }
            var csv = "serial,site,macs\n" + string.Join("\n", imported.Select(serial => $"{serial},lon1,{Unique.Mac()}")) + "\n";
            Assert.Equal(2, (await client.ImportMachinesAsync(csv)).Accepted);
        }

        await using (var demo = await RunningDemo.StartAsync(data, url, 6, flags))
        {
            var machines = (await demo.Client().SearchMachinesAsync(new MachineQuery(Limit: 100))).Items;
            Assert.Equal(10, machines.Count);
            Assert.True(10 == machines.Select(m => m.Bmc?.Address).Distinct().Count(), string.Join("\n", machines.Select(m => $"{m.Serial} {m.Bmc}")));
            Assert.Contains(machines, m => m.Serial.StartsWith(DemoFleet.UnknownPrefix, StringComparison.Ordinal));
            Assert.Contains(machines, m => m.Serial == imported[0]);
            // A power change through the BMC the inventory records shows on the machine with the record's serial.
            foreach (var machine in machines)
            {
                var bmc = machine.Bmc!;
                var password = SimulatorOptions.DefaultUsers.Single(u => u.Name == bmc.Username).Password;
                await using var connection = BmcDrivers.Connect(new BmcTarget(bmc.Driver, bmc.Address, bmc.Port, bmc.Username, password));
                var power = Assert.IsAssignableFrom<IPowerControl>(connection);
                var on = await power.GetPowerStateAsync() == PowerState.On;
                await power.SendPowerAsync(on ? PowerAction.Off : PowerAction.On);
                var line = $" {machine.Serial} power {(on ? "off" : "on")}";
                var until = DateTime.UtcNow.AddSeconds(10);
                while (!demo.Printed().Contains(line) && DateTime.UtcNow < until) await Task.Delay(50);
                Assert.True(demo.Printed().Contains(line), $"{bmc.Address}:{bmc.Port} ({machine.HardwareName}) did not reach {machine.Serial}");
            }
        }
        Directory.Delete(data, recursive: true);
    }

    private static async Task<JobView> EndedAsync(IngotClient client, JobView job)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await client.WaitForJobAsync(job.Id, ct: timeout.Token);
    }

    private static string Describe(JobView job) =>
        $"job {job.Id} {job.Action}: {job.Status}; " + string.Join("; ", job.Steps.Select(s => $"{s.Name} {s.Status} {s.Message}"));

    private static async Task<BmcView> AssertBmcAnswersOnAsync(IngotClient client, string machine)
    {
        var bmc = Assert.IsType<BmcView>((await client.GetMachineAsync(machine)).Bmc); // GET /api/v1/machines/{name}
        Assert.StartsWith("127.80.", bmc.Address);
        Assert.True(bmc.HasPassword);
        // The API never returns the password; the demo records the simulator's default administrator.
        var password = SimulatorOptions.DefaultUsers.Single(u => u.Name == bmc.Username).Password;
        await using var connection = BmcDrivers.Connect(new BmcTarget(bmc.Driver, bmc.Address, bmc.Port, bmc.Username, password));
        Assert.Equal(PowerState.On, await Assert.IsAssignableFrom<IPowerControl>(connection).GetPowerStateAsync());
        return bmc;
    }

    /// <summary>`ingot demo` running in-process until disposed, with what it printed up to its banner.</summary>
    private sealed class RunningDemo : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private Task<int> run = Task.FromResult(0);

        public string Banner { get; private set; } = "";

        /// <summary>Everything the demo printed so far: the banner, then what the machines do.</summary>
        public Func<string> Printed { get; private set; } = () => "";

        public IngotClient Client() => new(new Uri(Url + "/"), File.ReadAllText(System.IO.Path.Combine(Data, "admin-token")).Trim());

        private string Url { get; set; } = "";
        private string Data { get; set; } = "";

        /// <summary>The banner's line containing <paramref name="text"/>, trimmed.</summary>
        public string Line(string text) => Banner.Split('\n').Single(l => l.Contains(text)).Trim();

        public static async Task<RunningDemo> StartAsync(string data, string url, int machines, string[] flags)
        {
            var demo = new RunningDemo { Url = url, Data = data };
            var buffer = new StringWriter();
            var stdout = TextWriter.Synchronized(buffer);
            var stderr = TextWriter.Synchronized(new StringWriter());
            string Printed() { lock (stdout) return buffer.ToString(); }
            var context = new CliContext(stdout, stderr, _ => null, Path.Combine(data, "config.json"), TextReader.Null);
            demo.run = Cli.RunAsync(["demo", "--data", data, "--url", url, "--machines", $"{machines}", .. flags], context, demo.stop.Token);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!Printed().Contains("API: ") && !demo.run.IsCompleted && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            demo.Banner = Printed();
            demo.Printed = Printed;
            Assert.False(demo.run.IsCompleted, $"the demo stopped early:\n{demo.Banner}\n{stderr}");
            return demo;
        }

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            Assert.Equal(0, await run);
            stop.Dispose();
        }
    }
}
