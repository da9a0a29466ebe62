using Ingot.Client;

namespace Ingot.Commands.Batches;

/// <summary>Batch progress as plain lines for stdout that is not a terminal (a pipe, a log, a test): a line only
/// when the counts or the status change, so a batch that waits an hour for its installers does not fill a log.</summary>
internal sealed class ProgressLines(Output output)
{
    private (BatchStatus, BatchCounts)? seen;

    public async Task ReportAsync(BatchView b, CancellationToken ct)
    {
        if (seen == (b.Status, b.Counts)) return;
        seen = (b.Status, b.Counts);
        await output.LineAsync($"batch {b.Id}: {Output.Cell(b.Status)}, {BatchTable.Done(b)}/{b.Hosts} done ({BatchTable.Percent(b)}): " +
                               BatchTable.CountsLine(b), ct);
    }
}
