using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Boot;

/// <summary>The credentials for the BMCs of machines that discover themselves (both null when none are set), and the
/// networks their BMCs are in. A discovery report is anyone's word: without the bound, a made-up report naming an
/// address the attacker owns would hand them the fleet's BMC password at the first commission.</summary>
public sealed record DiscoveryCredentials(string? Username, string? Password, IReadOnlyList<System.Net.IPNetwork>? Networks = null)
{
    public bool IsSet => Username is not null && Password is not null;

    /// <summary>Whether a reported BMC address may be logged in to with these credentials: an IP address inside one of
    /// the networks. A DNS name is not (what it resolves to is the reporter's to choose).</summary>
    public bool Covers(string address) =>
        System.Net.IPAddress.TryParse(address, out var ip) && (Networks ?? []).Any(n => n.Contains(ip));
}

/// <summary>POST /boot/discovery: the discovery image's report, authorised by the boot token its script carried (bound
/// to the MAC that booted). The machine is registered `new` (or refreshed), and when the site's discovery credentials
/// are set, a `commission` job is queued at once (DESIGN.md §5, ingestion).</summary>
public static class BootDiscovery
{
    public static async Task<IResult> ReportAsync(DiscoveryReport body, HttpContext http, Database db, MachineWriter writer,
                                                  JobSubmission jobs, DiscoveryCredentials credentials, TimeProvider clock,
                                                  ILoggerFactory logs, CancellationToken ct)
    {
        // Audited whatever the outcome (the audit names the report's serial): a refused report is the one to look at.
        Audit.Name(http, "discovery", body.Serial);
        var draft = DiscoveryReports.Check(body);
        var token = BootEndpoints.BearerToken(http);
        string? reportedMode, bootedMac;
        await using (var c = await db.OpenAsync(ct))
        {
            var bound = await BootTokens.ValidAsync(c, token, clock.GetUtcNow());
            if (bound is not { Kind: "discover" } || draft.Nics.All(n => n.Mac != bound.Mac))
                throw new ForbiddenException("This boot token is unknown, expired, already used, or not a discovery token for one of the reported MACs.");
            (reportedMode, bootedMac) = (bound.BootMode, bound.Mac);
            Audit.Name(http, $"discovery ({bound.Mac})", draft.Serial);
        }
        if (credentials.IsSet && draft.Bmc is { } bmc)
        {
            if (credentials.Covers(bmc.Address)) draft = draft with { Bmc = bmc with { Username = credentials.Username, Password = credentials.Password } };
            else Log.OutsideNetworks(logs.CreateLogger(typeof(BootDiscovery)), draft.Serial, bmc.Address);
        }
        var result = await DiscoveryReports.RegisterAsync(db, writer, draft, bootedMac, $"discovery ({bootedMac})", clock, ct);
        var queued = await db.InTransactionAsync(async c =>
        {
            await c.ExecuteAsync("UPDATE boot_tokens SET used_at = @now WHERE token_hash = @hash",
                new { now = clock.GetUtcNow(), hash = SelfService.Tokens.Hash(token!) });
            // The discovery boot's platform is the machine's first reported boot mode (its later boots update it).
            if (reportedMode is { } mode) await BootModes.RecordReportedAsync(c, result.Machine.Id, mode, clock.GetUtcNow());
            var machine = await MachineReader.GetAsync(c, result.Machine.Id);
            if (machine.State != MachineState.New || machine.Bmc is not { HasPassword: true } || machine.Maintenance) return false;
            if (await JobReader.HasUnfinishedAsync(c, machine.Id, JobActions.Commission)) return false;
            await jobs.SubmitAsync(c, machine.Id, JobPlans.Find(JobActions.Commission)!, new Dictionary<string, System.Text.Json.JsonElement>(),
                "discovery", "discovery");
            return true;
        }, ct);
        if (queued) jobs.WakeWorkers();
        return result.Created ? Results.Created($"/api/v1/machines/{result.Machine.HardwareName}", result) : Results.Ok(result);
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovered machine with serial {Serial} reports BMC address {Address}, which is outside INGOT_DISCOVERY_BMC_NETWORKS: the discovery credentials were not given to it; it waits in state new for an operator to set its BMC")]
    public static partial void OutsideNetworks(ILogger logger, string serial, string address);
}
