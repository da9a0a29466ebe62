using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>What wipe_disks writes on the machine, fenced by the lease like every worker write.</summary>
public sealed partial class DatabaseJobQueue
{
    public Task ClearImageAsync(JobLease lease, CancellationToken ct) =>
        db.WriteAsync(c => c.ExecuteAsync(
            $"UPDATE machines SET image = NULL, installed_at = NULL, updated_at = @now WHERE id = (SELECT machine_id FROM jobs WHERE {Held})",
            new { id = lease.JobId, lease = lease.Token, now = clock.GetUtcNow() }), ct);
}
