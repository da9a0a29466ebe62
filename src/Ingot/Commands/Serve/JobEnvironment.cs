using System.Globalization;
using Ingot.Server.Jobs;

namespace Ingot.Commands.Serve;

/// <summary>The broker's options from INGOT_JOBS_* variables. A value that does not parse stops the server with
/// the variable's name rather than being ignored.</summary>
public static class JobEnvironment
{
    public static JobOptions Read(Func<string, string?> env)
    {
        var d = new JobOptions();
        return d with
        {
            RunWorkers = Bool(env, "INGOT_JOBS_RUN_WORKERS") ?? d.RunWorkers,
            Workers = Int(env, "INGOT_JOBS_WORKERS") ?? d.Workers,
            PerSiteLimit = Int(env, "INGOT_JOBS_PER_SITE_LIMIT") ?? d.PerSiteLimit,
            BatchMaxHosts = Int(env, "INGOT_JOBS_BATCH_MAX_HOSTS") ?? d.BatchMaxHosts,
            MaxAttempts = Int(env, "INGOT_JOBS_MAX_ATTEMPTS") ?? d.MaxAttempts,
            StepRetries = Int(env, "INGOT_JOBS_STEP_RETRIES") ?? d.StepRetries,
            Lease = Seconds(env, "INGOT_JOBS_LEASE_SECONDS") ?? d.Lease,
            PollInterval = Seconds(env, "INGOT_JOBS_POLL_SECONDS") ?? d.PollInterval,
            PowerDeadline = Seconds(env, "INGOT_JOBS_POWER_DEADLINE_SECONDS") ?? d.PowerDeadline,
            PowerPolls = Seconds(env, "INGOT_JOBS_POWER_POLL_SECONDS") is { } poll ? [poll] : d.PowerPolls,
            JobRetry = Seconds(env, "INGOT_JOBS_RETRY_SECONDS") is { } retry ? d.JobRetry with { First = retry } : d.JobRetry,
            StepRetry = Seconds(env, "INGOT_JOBS_STEP_RETRY_SECONDS") is { } step ? d.StepRetry with { First = step } : d.StepRetry,
        };
    }

    private static int? Int(Func<string, string?> env, string name) => env(name) is { Length: > 0 } text
        ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(name, text, "a whole number")
        : null;

    private static TimeSpan? Seconds(Func<string, string?> env, string name) => env(name) is { Length: > 0 } text
        ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? TimeSpan.FromSeconds(v) : throw Bad(name, text, "a positive number of seconds")
        : null;

    private static bool? Bool(Func<string, string?> env, string name) => env(name)?.ToLowerInvariant() switch
    {
        null or "" => null,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var text => throw Bad(name, text, "true or false"),
    };

    private static ArgumentException Bad(string name, string text, string expected) => new($"{name}='{text}' is not {expected}.");
}
