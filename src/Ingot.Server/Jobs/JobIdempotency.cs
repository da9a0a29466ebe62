using Ingot.Server.Api;
using Ingot.Server.Data;

namespace Ingot.Server.Jobs;

/// <summary>Issue 11 A.4: a job submitted with an Idempotency-Key is found again by its user and key; the key is
/// recorded on the job row in the transaction that queues it, and a unique index makes a second one lose.</summary>
internal static class JobIdempotency
{
    /// <summary>The job an earlier submission with this key queued, or null; another request under the key is refused.</summary>
    public static async Task<long?> PreviousAsync(DataContext c, string user, string key, string hash)
    {
        var row = await c.QuerySingleOrDefaultAsync<(long Id, string RequestHash)?>(
            "SELECT id, request_hash FROM jobs WHERE user_name = @user AND idempotency_key = @key", new { user, key });
        if (row is not { } previous) return null;
        if (previous.RequestHash != hash) throw Idempotency.Reused(key, $"job {previous.Id}");
        return previous.Id;
    }

    public static Task RecordAsync(DataContext c, long jobId, string key, string hash) =>
        c.ExecuteAsync("UPDATE jobs SET idempotency_key = @key, request_hash = @hash WHERE id = @jobId", new { jobId, key, hash });
}
