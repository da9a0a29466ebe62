using Ingot.Client;

namespace Ingot.Commands.Demo;

/// <summary>What the demo prints once it is up: where it is, the token, its simulated hardware, and commands to try,
/// each naming a sample machine it works on. Lines that need the simulated hardware are left out without it, so
/// every command shown works.</summary>
/// <param name="InUse">A running machine (in_use, not in maintenance): shown, powered, reimaged.</param>
/// <param name="Recycled">Another running machine, recycled, so the commands can be tried in any order.</param>
/// <param name="Fresh">A machine in state new, commissioned.</param>
/// <param name="InUseBmc">The running machine's BMC; null without simulated BMCs.</param>
/// <param name="Member">A team member and her token, when the inventory is the sample's.</param>
/// <param name="Failing">The machine the tour's provisioning request takes first and sees fail (SampleRequest).</param>
/// <param name="Pool">The tour's pool command (SampleRequest.PoolCommandAsync), without its CLI prefix.</param>
internal sealed record DemoBanner(string Url, string Token, string Data, string InUse, string Recycled, string Fresh, string Bmcs,
    BmcView? InUseBmc, DemoFleet? Fleet, bool Quiet, SampleMember? Member = null, string? Failing = null, string? Pool = null)
{
    // The commands as this demo was started: the published binary by its path (each command then starts in a
    // fraction of a second), else the README's 'dotnet run' (which builds first: seconds per command).
    private static readonly string Cli = Path.GetFileName(Environment.ProcessPath) is "ingot" && Environment.ProcessPath is { } binary
        ? Path.GetRelativePath(Environment.CurrentDirectory, binary) is var relative && !relative.StartsWith("..", StringComparison.Ordinal)
            ? "./" + relative : binary
        : "dotnet run --project src/Ingot --";

    public override string ToString() =>
        $"""

        Ingot is running at {Url}  (data: {Data}, kept across restarts; delete it to start afresh; Ctrl-C stops it)
        Admin token: {Token}
        {Bmcs}{Machines()}

        In a browser: open {Url} and sign in with the admin token (or alice's, below): machines, batches, requests,
        pools, tickets and dashboards, live.

        Try, in another terminal:
          export INGOT_URL={Url} INGOT_TOKEN={Token}
          {Cli} machines list --site lon1 --state available --limit 10
          {Cli} machines show {InUse}
          {Cli} machines transition {Fresh} commission --reason "racked and cabled"{BmcExample()}{JobExamples()}{MemberExamples()}

        API: {Url}/api/v1/machines (Authorization: Bearer <token>), OpenAPI: {Url}/openapi/v1.json
        """;

    /// <summary>The network-booting machines behind the BMCs, and the unknown ones being discovered.</summary>
    private string Machines()
    {
        if (Fleet is null) return "";
        var seconds = Fleet.Timings.Install.TotalSeconds;
        var text = $"{Environment.NewLine}Simulated machines: {Fleet.Known} network-boot from {Url}/boot; installs and wipes take {seconds:0.#} s (--install-seconds).";
        var unknown = Fleet.UnknownEndpoints;
        if (unknown.Count > 0)
            text += $"{Environment.NewLine}Unknown machines: {unknown.Count} more (BMCs {unknown[0]}{(unknown.Count > 1 ? $" … {unknown[^1]}" : "")}), " +
                    "not in the inventory: any not discovered yet PXE-boot now (--unknown).";
        if (!Quiet) text += $"{Environment.NewLine}What the machines do is printed below (--quiet hides it).";
        return text;
    }

    /// <summary>Jobs through the broker, which drives the machines' simulated BMCs; a reimage or recycle then has
    /// the machine network-boot the image and report back, as a real one would.</summary>
    private string JobExamples()
    {
        if (InUseBmc is null || Fleet is null) return "";
        var lines = new List<string>
        {
            $"{Cli} power cycle {InUse} --wait",
            $"{Cli} reimage {InUse} --image {SampleImages.Install} --force --wait",
            $"{Cli} recycle {Recycled} --force --wait",
            $"{Cli} jobs watch <job>      # live steps of a job submitted without --wait",
        };
        if (Fleet.UnknownEndpoints.Count > 0) lines.Add($"{Cli} machines list --q {DemoFleet.UnknownPrefix}   # the unknown machines, once discovered");
        return string.Concat(lines.Select(l => $"{Environment.NewLine}  {l}"));
    }

    /// <summary>Self-service as a team sees it: the member's own machines, and another team's refused with the reason.</summary>
    private string MemberExamples()
    {
        if (Member is null) return "";
        var lines = new List<string>
        {
            "",
            $"As {Member.Name} of team {Member.Team} (not an admin; docs/authorization.md):",
            $"  INGOT_TOKEN={Member.Token} {Cli} machines list --mine --limit 5",
        };
        if (Member.Foreign is { } foreign) lines.Add($"  INGOT_TOKEN={Member.Token} {Cli} reboot {foreign}   # refused: another team's machine");
        if (Failing is not null && Fleet is not null)
            lines.Add($"  INGOT_TOKEN={Member.Token} {SampleRequest.Command(Cli, SampleImages.Install)}   # {Failing} fails its installs: watch it replaced");
        if (Pool is not null && Fleet is not null)
            lines.Add($"  INGOT_TOKEN={Member.Token} {Cli} {Pool}   # kept at 2; fail a member and it is replaced");
        lines.Add($"  INGOT_TOKEN={Member.Token} {Cli} cost --team {Member.Team}   # machine-hours and cost; `cost waste` for idle ones");
        lines.Add("");
        lines.Add($"As the admin: {Cli} reclaim --dry-run   # machines nobody uses, and why (docs/reclaim.md)");
        lines.Add($"  {Cli} events --follow   # what happens, as it happens: jobs, batches, machines, BMCs (docs/events.md)");
        if (Failing is not null && Fleet is not null)
            lines.Add($"  {Cli} tickets list   # after the request: {Failing}'s failed install is a ticket for team {DemoCommand.DcOps}, with its evidence (docs/tickets.md)");
        return string.Concat(lines.Select(l => $"{Environment.NewLine}{l}"));
    }

    /// <summary>The shown machine's own BMC, reached directly; the password comes from the environment, as `bmc` wants.</summary>
    private string BmcExample() => InUseBmc is null ? "" :
        $"{Environment.NewLine}  {Ingot.Commands.Bmc.BmcOptions.PasswordVariable}={SampleBmcs.Account.Password} {Cli} bmc power status --driver {InUseBmc.Driver} --host {InUseBmc.Address} --port {InUseBmc.Port} --user {InUseBmc.Username}";
}
