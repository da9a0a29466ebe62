using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;
using Microsoft.AspNetCore.Http;

namespace Ingot.Server.Boot;

/// <summary>The site's credentials for the BMCs of machines that discover themselves; both null when none are set.</summary>
public sealed record DiscoveryCredentials(string? Username, string? Password)
{
    public bool IsSet => Username is not null && Password is not null;
}

/// <summary>POST /boot/discovery: the discovery image's report, authorised by the boot token its script carried (bound
/// to the MAC that booted). The machine is registered `new` (or refreshed), and when the site's discovery credentials
/// are set, a `commission` job is queued at once (DESIGN.md §5, ingestion).</summary>
public static class BootDiscovery
{
    public static async Task<IResult> ReportAsync(DiscoveryReport body, HttpContext http, Database db, MachineWriter writer,
                                                  JobSubmission jobs, DiscoveryCredentials credentials, TimeProvider clock, CancellationToken ct)
    {
        var draft = DiscoveryReports.Check(body);
        var token = BootEndpoints.BearerToken(http);
        string? reportedMode;
        await using (var c = await db.OpenAsync(ct))
        {
            var bound = await BootTokens.ValidAsync(c, token, clock.GetUtcNow());
            if (bound is not { Kind: "discover" } || draft.Nics.All(n => n.Mac != bound.Mac))
                throw new ForbiddenException("This boot token is unknown, expired, already used, or not a discovery token for one of the reported MACs.");
            reportedMode = bound.BootMode;
        }
        if (credentials.IsSet && draft.Bmc is { } bmc) draft = draft with { Bmc = bmc with { Username = credentials.Username, Password = credentials.Password } };
        var result = await DiscoveryReports.RegisterAsync(db, writer, draft, $"discovery ({draft.Nics[0].Mac})", clock, ct);
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
