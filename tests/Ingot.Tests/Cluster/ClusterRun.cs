using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Ingot.Bmc;
using Ingot.Client;
using Ingot.Server.SelfService;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;

namespace Ingot.Tests.Cluster;

/// <summary>A broker cluster under test: simulated BMCs in this process (real IPMI over UDP on 127.0.7.1, one port
/// each), one machine per BMC, and `ingot serve` processes sharing one database (<see cref="ClusterStore"/>), started
/// and killed by the test. Every node gets the same secret key (it decrypts BMC passwords another node stored) and
/// admin token. Dispose kills every node that still runs and stops the BMCs.</summary>
public sealed class ClusterRun : IAsyncDisposable
{
    private readonly string root;
    private readonly Dictionary<string, string> env;
    private readonly List<ServeProcess> nodes = [];

    private ClusterRun(string root, ClusterStore store, SimulatorFleet fleet, Dictionary<string, string> env)
    {
        this.root = root;
        Store = store;
        Fleet = fleet;
        this.env = env;
    }

    public ClusterStore Store { get; }
    public SimulatorFleet Fleet { get; }
    public string AdminToken { get; } = Tokens.Generate();

    /// <summary>Every node started so far, in start order (killed ones included, for their logs).</summary>
    public IReadOnlyList<ServeProcess> Nodes => nodes;

    /// <summary>Hardware names of the machines, index i being the machine of <c>Fleet.Bmcs[i]</c>.</summary>
    public IReadOnlyList<string> Machines { get; private set; } = [];

    /// <param name="jobs">INGOT_JOBS_* settings of every node.</param>
    /// <param name="faults">Per-BMC faults (latency, say), by BMC index.</param>
    /// <param name="severalNodes">Whether nodes run side by side (on PostgreSQL, whatever the run's engine).</param>
    public static async Task<ClusterRun> StartAsync(int bmcs, IReadOnlyDictionary<string, string> jobs, Func<int, BmcFaults>? faults = null,
                                                    bool severalNodes = true)
    {
        var root = Directory.CreateTempSubdirectory("ingot-cluster-").FullName;
        var store = await ClusterStore.CreateAsync(root, severalNodes);
        // 127.0.7.x is this folder's range of loopback addresses; other test projects use other ones.
        var fleet = await IpmiFleet.StartAsync(new SimulatorOptions
        {
            Count = bmcs, IpmiBase = IPAddress.Parse("127.0.7.1"), IpmiPort = 0, PortPerBmc = true, InitialPower = PowerState.On,
            FaultsFor = faults,
        });
        var env = new Dictionary<string, string>(store.Environment)
        {
            ["INGOT_SECRET_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        foreach (var (key, value) in jobs) env[key] = value;
        var run = new ClusterRun(root, store, fleet, env);
        run.env["INGOT_ADMIN_TOKEN"] = run.AdminToken;
        return run;
    }

    /// <summary>Starts one more node and waits until it is ready. Nodes are started one at a time: the first one
    /// migrates the empty database, and the others then find it migrated.</summary>
    public async Task<ServeProcess> StartNodeAsync()
    {
        var index = nodes.Count;
        var name = $"node{index}";
        var node = await ServeProcess.StartAsync(name, Store.DataDirectory(index), env, Path.Combine(root, $"{name}.log"));
        nodes.Add(node);
        return node;
    }

    public IngotClient Client(ServeProcess node) => new(node.Url, AdminToken);

    /// <summary>One machine per BMC, in one CSV import (a thousand single creates would cost seconds of the budget).</summary>
    public async Task ImportMachinesAsync(ServeProcess node)
    {
        var tag = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var csv = new StringBuilder("serial,bmc_driver,bmc_address,bmc_port,bmc_username,bmc_password\n");
        var serials = new List<string>();
        foreach (var ep in Fleet.IpmiEndpoints)
        {
            var serial = string.Create(CultureInfo.InvariantCulture, $"CL{tag}{serials.Count:D5}");
            serials.Add(serial);
            csv.Append(CultureInfo.InvariantCulture, $"{serial},sim,{ep.Address},{ep.Port},admin,password\n");
        }
        var result = await Client(node).ImportMachinesAsync(csv.ToString());
        Assert.True(result.Rejected == 0, $"import rejected {result.Rejected} rows: {string.Join("; ", result.Errors.Take(5))}");
        Machines = [.. serials.Select(s => "hw-" + s.ToLowerInvariant())];
        Assert.Equal(Machines.Order(StringComparer.Ordinal), result.HardwareNames.Order(StringComparer.Ordinal));
    }

    /// <summary>Every node's log tail, for a failure message.</summary>
    public string Logs() => string.Join("\n", nodes.Select(n => n.Tail()));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes) await node.DisposeAsync();
        await Fleet.DisposeAsync();
        await Store.DisposeAsync();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
