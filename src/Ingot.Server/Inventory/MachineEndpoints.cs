using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Api;
using Ingot.Server.SelfService;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Ingot.Server.Inventory;

/// <summary>/api/v1/machines: search, CRUD, lifecycle transitions, maintenance and history.
/// {id} is a machine id, hardware_name or hostname.</summary>
public static class MachineEndpoints
{
    public static void MapMachines(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/machines").WithTags("Machines");
        machines.MapGet("", SearchAsync);
        machines.MapGet("/{id}", GetAsync);
        machines.MapPost("", CreateAsync);
        machines.MapPatch("/{id}", MachineUpdates.UpdateAsync);
        machines.MapDelete("/{id}", DeleteAsync);
        machines.MapPost("/{id}/transitions", TransitionAsync);
        machines.MapPost("/{id}/maintenance", MaintenanceAsync);
        machines.MapGet("/{id}/history", HistoryAsync);
        machines.MapImport();
    }

    private static async Task<Ok<Page<MachineView>>> SearchAsync(HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(await MachineSearch.RunAsync(c, http.Request.Query, Caller.From(http)));
    }

    private static async Task<Ok<MachineView>> GetAsync(string id, HttpContext http, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var machineId = await MachineReader.ResolveAsync(c, id);
        // The version before the view: a write in between makes the ETag older than the view (a needless 412 later),
        // never newer (which would let a PATCH based on this stale view overwrite that write).
        await MachineVersions.SendAsync(http, c, machineId);
        return TypedResults.Ok(await MachineReader.GetAsync(c, machineId));
    }

    private static async Task<Created<MachineView>> CreateAsync(
        MachineCreate body, HttpContext http, Database db, MachineWriter writer, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var view = await db.InTransactionAsync(async c =>
        {
            var v = new Validation();
            var draft = MachineDraft.From(body, await Catalog.LoadAsync(c), v);
            v.ThrowIfInvalid();
            try
            {
                var id = await writer.InsertAsync(c, draft!, caller.Name, "create", clock.GetUtcNow());
                return await MachineReader.GetAsync(c, id);
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                throw MachineWriter.Clash(e, draft!.Serial, draft.Nics, draft.Hostname);
            }
        }, ct);
        return TypedResults.Created($"/api/v1/machines/{view.HardwareName}", view);
    }

    private static async Task<NoContent> DeleteAsync(string id, HttpContext http, Database db, CancellationToken ct)
    {
        await db.InTransactionAsync(async c =>
        {
            var machineId = await MachineReader.ResolveAsync(c, id);
            var state = await c.ExecuteScalarAsync<string>("SELECT state FROM machines WHERE id = @machineId" + Sql.ForUpdate(c), new { machineId });
            // Only machines that never entered service, or have left it, may disappear with their history.
            if (state is not ("new" or "decommissioned"))
                throw new ConflictException($"Machine {id} is '{state}'; only 'new' or 'decommissioned' machines can be deleted. Decommission it first.");
            return await c.ExecuteAsync("DELETE FROM machines WHERE id = @machineId", new { machineId });
        }, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MachineView>> TransitionAsync(
        string id, TransitionRequest body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var v = new Validation();
        var text = v.Required("trigger", body.Trigger);
        if (text is not null && !Wire.TryParse<Trigger>(text, out _))
            v.Add("trigger", $"'{text}' is not a trigger; use one of {Wire.Names<Trigger>()}.");
        v.ThrowIfInvalid();
        Wire.TryParse<Trigger>(text, out var trigger);
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            var machineId = await MachineReader.ResolveAsync(c, id);
            await Transitions.ApplyAsync(c, machineId, trigger, caller.Name, body.Reason, clock.GetUtcNow());
            return await MachineReader.GetAsync(c, machineId);
        }, ct));
    }

    private static async Task<Ok<MachineView>> MaintenanceAsync(
        string id, MaintenanceRequest body, HttpContext http, Database db, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(http);
        var v = new Validation();
        v.When(body.Enabled is null, "enabled", "is required: true to put the machine in maintenance, false to take it out.");
        v.When(body.Enabled == true && string.IsNullOrWhiteSpace(body.Reason), "reason", "is required when enabling maintenance, so others know why.");
        v.ThrowIfInvalid();
        return TypedResults.Ok(await db.InTransactionAsync(async c =>
        {
            var machineId = await MachineReader.ResolveAsync(c, id);
            var enabled = body.Enabled!.Value;
            await c.ExecuteAsync(
                "UPDATE machines SET maintenance = @enabled, maintenance_reason = @reason, version = version + 1, updated_at = @now WHERE id = @machineId",
                new { enabled, reason = enabled ? body.Reason!.Trim() : null, now = clock.GetUtcNow(), machineId });
            return await MachineReader.GetAsync(c, machineId);
        }, ct));
    }

    private static async Task<Ok<List<HistoryEntry>>> HistoryAsync(string id, Database db, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var machineId = await MachineReader.ResolveAsync(c, id);
        return TypedResults.Ok(await MachineHistory.ReadAsync(c, machineId));
    }
}
