using System.CommandLine;
using System.Net;
using Ingot.Bmc;
using Ingot.Simulator;
using Ingot.Simulator.Ipmi;
using Ingot.Simulator.Redfish;

namespace Ingot.Commands.Sim;

/// <summary>`ingot sim bmc --count N`: N simulated BMCs, each on its own loopback address, answering IPMI
/// (UDP) and Redfish (HTTP) until Ctrl-C. Prints where they listen.</summary>
internal static class SimBmcCommand
{
    // Beyond this many BMCs a line each would bury the summary; the first few show the pattern.
    private const int ListedBmcs = 10;

    public static Command Create(CliContext context)
    {
        var count = new Option<int>("--count", "-n") { Description = "How many BMCs. Default 1", DefaultValueFactory = _ => 1 };
        var ipmiBase = new Option<string>("--ipmi-base") { Description = "First BMC's address (127.x.y.z); the others follow. Default 127.1.0.1", DefaultValueFactory = _ => "127.1.0.1" };
        var ipmiPort = new Option<int>("--ipmi-port") { Description = "UDP port for IPMI (623 needs root; 0 picks a free one per BMC). Default 623", DefaultValueFactory = _ => 623 };
        var redfishPort = new Option<int>("--redfish-port") { Description = "TCP port for Redfish over HTTP on every BMC's address (0: a free one each). Default 8000", DefaultValueFactory = _ => 8000 };
        var user = new Option<string?>("--user") { Description = "The one account every BMC accepts (administrator). Default: admin/password, operator/operpass, user/userpass" };
        var password = new Option<string?>("--password") { Description = "Password of --user (a simulator's, so the command line is fine)." };
        var faults = new Option<string?>("--faults") { Description = $"Faults to inject: {FaultSpec.Syntax}. On every BMC, or on --faulty-percent of them.", HelpName = "spec" };
        var faultyPercent = new Option<int>("--faulty-percent") { Description = "Percentage of BMCs that misbehave (with --faults, or a mix of faults). Default 0" };
        var command = new Command("bmc", "Serve simulated BMCs (IPMI and Redfish) until Ctrl-C.")
            { count, ipmiBase, ipmiPort, redfishPort, user, password, faults, faultyPercent };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var spec = parse.GetValue(faults) is { } text ? FaultSpec.Parse(text) : null;
                var percent = parse.GetValue(faultyPercent);
                if (percent is < 0 or > 100) throw new UsageException("--faulty-percent is from 0 to 100.");
                if (spec is not null && parse.GetResult(faultyPercent) is null) percent = 100; // --faults alone: every BMC
                var options = new SimulatorOptions
                {
                    Count = parse.GetValue(count),
                    IpmiBase = LoopbackAddress(parse.GetValue(ipmiBase)!),
                    IpmiPort = parse.GetValue(ipmiPort),
                    Users = Users(parse.GetValue(user), parse.GetValue(password)),
                    FaultsFor = i => FaultSpec.For(i, spec, percent),
                };
                if (options.Count < 1) throw new UsageException("--count is at least 1.");
                return await RunAsync(context, options, parse.GetValue(redfishPort), ct);
            }
            catch (UsageException e)
            {
                await context.Error.WriteLineAsync($"error: {e.Message}");
                return UsageException.ExitCode;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ArgumentException)
            {
                // An address or port in use (623 without root), or addresses past 127.255.255.254.
                await context.Error.WriteLineAsync($"error: cannot start the simulated BMCs: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, SimulatorOptions options, int redfishPort, CancellationToken ct)
    {
        await using var fleet = await IpmiFleet.StartAsync(options, ct);
        await using var redfish = await RedfishSimulator.StartAsync(fleet.Bmcs, new RedfishSimulatorOptions { Port = redfishPort }, ct);
        await context.Out.WriteLineAsync(Banner(fleet, redfish, options));
        await context.Out.FlushAsync(ct);
        try { await Task.Delay(Timeout.Infinite, ct); }
        catch (OperationCanceledException) { /* Ctrl-C: stop below */ }
        return 0;
    }

    private static string Banner(SimulatorFleet fleet, RedfishSimulator redfish, SimulatorOptions options)
    {
        var lines = new List<string> { $"{fleet.Bmcs.Count} simulated BMC(s); users: {string.Join(", ", options.Users.Select(u => $"{u.Name}/{u.Password}"))}" };
        for (var i = 0; i < fleet.Bmcs.Count && i < ListedBmcs; i++)
        {
            var bmc = fleet.Bmcs[i];
            lines.Add($"  {bmc.Name}  ipmi udp://{fleet.IpmiEndpoints[i]}  redfish http://{redfish.EndpointOf(bmc)}  faults: {FaultSpec.Describe(bmc.Faults)}");
        }
        if (fleet.Bmcs.Count > ListedBmcs)
            lines.Add($"  … to {fleet.Bmcs[^1].Name} at {fleet.Bmcs[^1].Address}; {fleet.Bmcs.Count(b => b.Faults != BmcFaults.None)} with faults");
        lines.Add("Ctrl-C stops them.");
        return string.Join(Environment.NewLine, lines);
    }

    private static IReadOnlyList<SimUser> Users(string? user, string? password) => (user, password) switch
    {
        (null, null) => SimulatorOptions.DefaultUsers,
        ({ } name, { } secret) => [new SimUser(name, secret, IpmiPrivilege.Administrator)],
        _ => throw new UsageException("Give --user and --password together."),
    };

    /// <summary>Only loopback: the simulator must never answer on a real network.</summary>
    private static IPAddress LoopbackAddress(string text) =>
        IPAddress.TryParse(text, out var address) && address.GetAddressBytes() is [127, _, _, _]
            ? address : throw new UsageException($"--ipmi-base {text}: give a 127.x.y.z address.");
}
