namespace Ingot.Tests.Cluster;

/// <summary>The multi-process tests run one at a time and alone: each starts server processes and hundreds of
/// simulated BMCs, and on a small machine two of them at once (or beside the other test classes) would turn their
/// timings into a test of the scheduler.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";

    /// <summary>Broker settings shared by the cluster tests: quick polls and retries, so a test takes seconds.</summary>
    public static Dictionary<string, string> FastJobs(int workers, double leaseSeconds) => new()
    {
        ["INGOT_JOBS_WORKERS"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["INGOT_JOBS_LEASE_SECONDS"] = leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["INGOT_JOBS_POLL_SECONDS"] = "0.1",
        ["INGOT_JOBS_POWER_POLL_SECONDS"] = "0.02",
        ["INGOT_JOBS_POWER_DEADLINE_SECONDS"] = "5",
        ["INGOT_JOBS_STEP_RETRY_SECONDS"] = "0.05",
        ["INGOT_JOBS_RETRY_SECONDS"] = "0.2",
    };
}
