using System.Collections.Concurrent;
using Ingot.Bmc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ingot.Server.Api;

namespace Ingot.Server.Jobs;

/// <summary>Wakes idle workers at once when this node queues a job, instead of at their next poll.</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim pulses = new(0, 1);

    public void Pulse()
    {
        try { pulses.Release(); }
        catch (SemaphoreFullException) { } // already pulsed: one wake-up is enough
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => pulses.WaitAsync(timeout, ct);
}

/// <summary>The worker pool of one node: claims as many jobs as it has free workers, runs each as an async task
/// (no thread per job), renews the leases of those it runs, and cancels any whose lease it lost. On a clean stop it
/// gives its jobs back to the queue so that another node resumes them at once.</summary>
public sealed partial class JobWorkers(
    IJobQueue queue, JobOptions options, JobSignal signal, TimeProvider clock, BmcDriverOptions drivers, ILogger<JobWorkers> log)
    : BackgroundService
{
    private readonly ConcurrentDictionary<JobLease, Run> running = new();

    /// <summary>One job in progress here: how to stop it, and its task, which the stop waits for.</summary>
    private sealed class Run(CancellationTokenSource cancel)
    {
        public CancellationTokenSource Cancel { get; } = cancel;
        public Task Task { get; set; } = Task.CompletedTask;
    }

    /// <summary>Jobs this node is running now.</summary>
    public int Running => running.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.RunWorkers) return;
        var execution = new JobExecution(queue, options, clock, t => BmcDrivers.Connect(t, drivers), log);
        var heartbeat = HeartbeatAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var claimed = await ClaimAsync(stoppingToken);
                foreach (var job in claimed) Start(execution, job, stoppingToken);
                if (claimed.Count == 0 || running.Count >= options.Workers)
                    await signal.WaitAsync(options.PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await HandBackAsync(heartbeat);
        }
    }

    /// <summary>The clean stop. Nothing here may throw before the hand-back (issue 11 A.7: it once did, cancelling a run
    /// that had just ended and disposed its token source, and the node's 23 jobs waited out their leases). The runs need
    /// no cancelling of their own: their tokens are linked to the stopping token. They are waited for, for at most a
    /// heartbeat period, so that none is still talking to its BMC (or closing its session on a transport the host is about
    /// to dispose) when the hand-back lets another node resume its job; one that takes longer cannot write after the
    /// hand-back anyway, its lease being gone.</summary>
    private async Task HandBackAsync(Task heartbeat)
    {
        Task[] runs = [heartbeat, .. running.Values.Select(r => r.Task)];
        await Task.WhenAll(runs).WaitAsync(options.Lease / 3, clock).ContinueWith(_ => { }, TaskScheduler.Default);
        try { await queue.ReleaseAllAsync(CancellationToken.None); }
        catch (Exception e) { LogReleaseFailed(e); }
    }

    private async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(CancellationToken ct)
    {
        var free = options.Workers - running.Count;
        if (free <= 0) return [];
        try
        {
            return await queue.ClaimAsync(free, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogClaimFailed(e);
            return [];
        }
    }

    private void Start(JobExecution execution, ClaimedJob job, CancellationToken stoppingToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var run = new Run(cts);
        running[job.Lease] = run;
        run.Task = Task.Run(async () =>
        {
            try
            {
                await execution.RunAsync(job, cts.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cts.IsCancellationRequested)
            {
                // The database went away mid-job, say: the lease lapses and another node (or this one) resumes it.
                LogJobCrashed(e, job.Id);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                running.TryRemove(job.Lease, out _);
                cts.Dispose();
                signal.Pulse(); // a worker is free
            }
        }, CancellationToken.None);
    }

    /// <summary>Renews the leases of the runs in progress every third of a lease. A run whose lease was not renewed
    /// is stopped only if it is still here at the next beat: a run that simply ended between the snapshot and the
    /// renewal (its lease released) is gone by then, and is not mistaken for one that lost its job.</summary>
    private async Task HeartbeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Lease / 3, clock);
        var suspects = new HashSet<JobLease>();
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                var leases = running.Keys.ToArray();
                var held = leases.Length == 0 ? new HashSet<JobLease>() : await queue.RenewAsync(leases, ct);
                var lost = leases.Where(l => !held.Contains(l)).ToHashSet();
                foreach (var lease in lost.Where(suspects.Contains))
                    if (running.TryGetValue(lease, out var run))
                    {
                        LogLeaseLost(lease.JobId);
                        try { await run.Cancel.CancelAsync(); }
                        catch (ObjectDisposedException) { } // it ended meanwhile after all
                    }
                suspects = lost;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogHeartbeatFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming jobs failed; trying again")]
    private partial void LogClaimFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} stopped on an error; it resumes when its lease lapses")]
    private partial void LogJobCrashed(Exception e, long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: lease lost to another node; stopping here")]
    private partial void LogLeaseLost(long jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing job leases failed")]
    private partial void LogHeartbeatFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give running jobs back to the queue; they resume when their leases lapse")]
    private partial void LogReleaseFailed(Exception e);
}
