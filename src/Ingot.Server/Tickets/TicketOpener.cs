using System.Text.Json;
using Dapper;
using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;
using Ingot.Server.Notifications;
using Microsoft.Extensions.Logging;

namespace Ingot.Server.Tickets;

/// <summary>Opens triage tickets from the event log, on one node at a time (a loop lease), acting on each event once (its
/// cursor is written in the transaction of the ticket): a user-initiated job (one submitted through the API, a batch or a
/// provisioning request) that failed for good, and each host a batch's precheck left out or refused the batch for. One ticket per machine and
/// incident: while a machine's ticket is open, another failure adds an occurrence, its submitter as a watcher and the
/// latest evidence, rather than a second ticket.</summary>
public sealed class TicketOpener(Database db, TicketOptions options, TimeProvider clock, ILogger<TicketOpener> log)
    : LeasedLoop(LeaseName, NewHolder(), options.Interval, options.Lease,
        db, clock, log)
{
    public const string LeaseName = "tickets";

    private static readonly EventFilter Failures = new([JobEvents.Failed, JobEvents.BatchAccepted, JobEvents.BatchRejected]);

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (!await HoldAsync(ct)) return;
        while (await RunOnceAsync(ct) > 0) { }
    }

    /// <returns>How many events it read (0: caught up).</returns>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        List<EventRow> events;
        await using (var c = await Db.OpenAsync(ct))
            events = await EventLog.ReadAsync(c, Failures, await EventCursors.ReadAsync(c, LeaseName), 100);
        foreach (var e in events)
            await Db.InTransactionAsync(async c =>
            {
                await ActAsync(c, e);
                await EventCursors.WriteAsync(c, LeaseName, e.Position);
                return 0;
            }, ct);
        return events.Count;
    }

    private async Task ActAsync(DataContext c, EventRow e)
    {
        using var data = JsonDocument.Parse(e.Data);
        if (e.Type == JobEvents.Failed)
        {
            var jobId = data.RootElement.GetProperty("job_id").GetInt64();
            var job = await c.QuerySingleOrDefaultAsync<(long MachineId, string Requester, string UserName, string Action, string? Error, long? BatchId)>(
                "SELECT machine_id, requester, user_name, action, error, batch_id FROM jobs WHERE id = @jobId", new { jobId });
            if (job.Requester is null || !UserInitiated(job.Requester)) return;
            await OpenAsync(c, job.MachineId, "job", jobId, job.BatchId, job.UserName, $"{job.Action} failed: {job.Error}", null);
            return;
        }
        if (e.Type == JobEvents.BatchRejected)
        {
            // A batch its precheck refused: each host it could not reach, as an exclusion would, with no batch to name.
            var user = data.RootElement.GetProperty("user").GetString()!;
            var action = data.RootElement.GetProperty("action").GetString();
            foreach (var host in data.RootElement.GetProperty("failed").EnumerateArray())
            {
                var machineId = host.GetProperty("machine_id").GetInt64();
                var reason = host.GetProperty("reason").GetString();
                if (await c.ExecuteScalarAsync<long?>("SELECT id FROM machines WHERE id = @machineId", new { machineId }) is null) continue; // deleted since
                await OpenAsync(c, machineId, "precheck", null, null, user, $"refused a batch ({action}) by its precheck: {reason}", reason);
            }
            return;
        }
        // batch.accepted: a host its precheck left out is a machine someone wanted and could not have.
        var batchId = data.RootElement.GetProperty("batch_id").GetInt64();
        if (data.RootElement.GetProperty("excluded").GetInt32() == 0) return;
        var batch = await c.QuerySingleAsync<(string Action, string UserName, string? Excluded)>(
            "SELECT action, user_name, excluded FROM batches WHERE id = @batchId", new { batchId });
        foreach (var x in JsonSerializer.Deserialize<List<BatchExclusion>>(batch.Excluded ?? "[]", IngotJson.Options) ?? [])
        {
            long machineId;
            try { machineId = await MachineReader.ResolveAsync(c, x.Host); }
            catch (Api.NotFoundException) { continue; } // deleted since
            await OpenAsync(c, machineId, "precheck", null, batchId, batch.UserName, $"left out of batch {batchId} ({batch.Action}): {x.Reason}", x.Reason);
        }
    }

    /// <summary>A title that fits a list's line; the whole error is in the evidence.</summary>
    private static string Title(string text) => text.Length <= 200 ? text : text[..199] + "…";

    /// <summary>Work a person asked for: a job of the API, a batch's, a provisioning request's. Not discovery's commissioning.</summary>
    private static bool UserInitiated(string requester) =>
        requester == "api" || requester.StartsWith("batch:", StringComparison.Ordinal) || requester.StartsWith("request:", StringComparison.Ordinal);

    private async Task OpenAsync(DataContext c, long machineId, string source, long? jobId, long? batchId, string watcher, string what, string? precheck)
    {
        var now = Clock.GetUtcNow();
        var evidence = JsonSerializer.Serialize(await TicketEvidenceReader.ReadAsync(c, machineId, jobId, precheck), IngotJson.Options);
        var open = await c.QuerySingleOrDefaultAsync<Tickets.Row>($"{Tickets.Select} WHERE machine_id = @machineId AND status <> 'resolved'" + Sql.ForUpdate(c),
            new { machineId });
        if (open is not null)
        {
            var watchers = string.Join(',', open.WatcherList.Append(watcher).Distinct(StringComparer.Ordinal));
            await c.ExecuteAsync(
                """
                UPDATE tickets SET occurrences = occurrences + 1, watchers = @watchers, evidence = @evidence, job_id = COALESCE(@jobId, job_id),
                    batch_id = COALESCE(@batchId, batch_id), updated_at = @now WHERE id = @Id
                """, new { open.Id, watchers, evidence, jobId, batchId, now });
            await Tickets.EventAsync(c, Tickets.Recurred, await Tickets.GetAsync(c, open.Id), null, now);
            return;
        }
        var owner = await MachineOwners.ReadAsync(c, machineId);
        var machine = (Name: owner.Machine, owner.Site);
        var id = await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO tickets (machine_id, machine, site, team, status, title, source, job_id, batch_id, watchers, occurrences, evidence, opened_at, updated_at)
            VALUES (@machineId, @name, @site, @team, 'open', @title, @source, @jobId, @batchId, @watcher, 1, @evidence, @now, @now) RETURNING id
            """,
            new
            {
                machineId, name = machine.Name, site = machine.Site, team = options.RouteOf(machine.Site), title = Title($"{machine.Name}: {what}"),
                source, jobId, batchId, watcher, evidence, now,
            });
        await Tickets.EventAsync(c, Tickets.Opened, await Tickets.GetAsync(c, id), null, now);
    }
}
