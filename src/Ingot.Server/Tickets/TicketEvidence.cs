using Ingot.Client;
using Ingot.Server.Data;
using Ingot.Server.Inventory;
using Ingot.Server.Jobs;

namespace Ingot.Server.Tickets;

/// <summary>Gathers what a triage ticket carries, as it stands when the ticket opens (or recurs): whoever picks it up
/// has the job's steps and errors, the installer's own words, the BMC's record and the machine's past in one place.</summary>
public static class TicketEvidenceReader
{
    private const int Recent = 20;

    public static async Task<TicketEvidence> ReadAsync(DataContext c, long machineId, long? jobId, string? precheck)
    {
        JobView? job = null;
        IReadOnlyList<JobEventView> installer = [];
        if (jobId is { } id)
        {
            job = await JobReader.GetAsync(c, id);
            installer = await JobEventRow.ReadAsync(c, id, job.Attempt, 200);
        }
        var machine = (await MachineReader.LoadAsync(c, [machineId])).FirstOrDefault();
        var bmc = await BmcHealthEvents.HistoryAsync(c, machineId, Recent);
        var history = await MachineHistory.ReadAsync(c, machineId, Recent);
        return new TicketEvidence(job, installer, machine, bmc, history, precheck);
    }
}
