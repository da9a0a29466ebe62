using System.Globalization;
using System.Text.Json;

namespace Ingot.Client;

public sealed partial class IngotClient
{
    /// <param name="machine">A machine id, hardware_name or hostname.</param>
    /// <param name="force">Needed to reimage, recycle, wipe or decommission an in_use machine.</param>
    /// <param name="idempotencyKey">Sent as Idempotency-Key: the same key, machine and body return the same job.</param>
    public Task<JobView> SubmitJobAsync(string machine, string action, IReadOnlyDictionary<string, JsonElement>? parameters = null,
                                        CancellationToken ct = default, bool force = false, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/machines/{Segment(machine)}/jobs")
        {
            Content = Json(new JobSubmit(action, parameters, force ? true : null)),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return SendAsync<JobView>(request, ct);
    }

    public Task<JobView> GetJobAsync(long id, CancellationToken ct = default) =>
        GetAsync<JobView>($"api/v1/jobs/{id.ToString(CultureInfo.InvariantCulture)}", ct);

    /// <param name="source">all (default), batch or single.</param>
    public Task<JobStats> GetJobStatsAsync(DateTimeOffset? since = null, DateTimeOffset? until = null, string? source = null, string? action = null,
                                           string? site = null, bool steps = false, CancellationToken ct = default) =>
        GetAsync<JobStats>("api/v1/jobs/stats" + Query(("since", since), ("until", until), ("source", source), ("action", action), ("site", site),
            ("steps", steps ? true : null)), ct);

    public Task<Page<JobView>> ListJobsAsync(JobQuery query, CancellationToken ct = default) =>
        GetAsync<Page<JobView>>("api/v1/jobs" + Query(
            ("machine", query.Machine), ("status", query.Status), ("action", query.Action), ("user", query.User),
            ("batch", query.Batch), ("since", query.Since?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)),
            ("limit", query.Limit), ("after", query.After)), ct);

    /// <summary>Cancels a queued job at once; asks a running one to stop at its next step boundary.</summary>
    public Task<JobView> CancelJobAsync(long id, CancellationToken ct = default) =>
        PostAsync<JobView>($"api/v1/jobs/{id.ToString(CultureInfo.InvariantCulture)}/cancel", null, ct);

    public Task<BrokerStatus> GetBrokerStatusAsync(CancellationToken ct = default) =>
        GetAsync<BrokerStatus>("api/v1/jobs/broker", ct);

    /// <summary>Polls until the job has ended (succeeded, failed or cancelled) and returns it.</summary>
    public async Task<JobView> WaitForJobAsync(long id, TimeSpan? poll = null, CancellationToken ct = default)
    {
        while (true)
        {
            var job = await GetJobAsync(id, ct);
            if (job.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled) return job;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250), ct);
        }
    }
}
