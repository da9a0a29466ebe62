using System.CommandLine;
using System.Text.Json;
using Ingot.Client;
using Ingot.Commands.Jobs;
using Spectre.Console;

namespace Ingot.Commands.Power;

/// <summary>What the verbs that act on machines through the job broker share: the HOST… argument and --wait,
/// one job per host, the host → job → status table, and the wait for the jobs to end.</summary>
internal sealed class HostJobs
{
    private HostJobs() { }

    public Argument<string[]> Hosts { get; } = new("host")
    {
        Description = "The machines, each by id, hardware_name or hostname.",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<bool> Wait { get; } = new("--wait")
    {
        Description = "Wait until every job has ended, print its final status and any failure, and exit 1 unless all succeeded.",
    };

    /// <summary>Only on the verbs whose action erases the machine (reimage, recycle, wipe, decommission).</summary>
    public Option<bool> Force { get; } = new("--force")
    {
        Description = "Act on in_use machines too: the action erases what runs on them. Without it the server refuses an in_use machine.",
    };

    /// <param name="erases">The verb's action erases the machine: it takes --force, which the server needs for an in_use machine.</param>
    public static HostJobs AddTo(Command command, bool erases = false)
    {
        var shared = new HostJobs();
        command.Arguments.Add(shared.Hosts);
        command.Options.Add(shared.Wait);
        if (erases) command.Options.Add(shared.Force);
        return shared;
    }

    /// <summary>The sentence every such verb's help ends with.</summary>
    public const string Outcome = "One job per host; a host the server refuses is reported on stderr and the others still get theirs (exit 1).";

    /// <summary>Submits <paramref name="action"/> for each host, prints the jobs, and with --wait follows them to their end.</summary>
    public async Task<int> RunAsync(Session s, ParseResult parse, string action, IReadOnlyDictionary<string, JsonElement>? parameters,
                                    CancellationToken ct)
    {
        var hosts = new List<string>();
        var jobs = new List<JobView>();
        var exit = 0;
        // One request per host, in order: the server admits each job on its own (a host in maintenance is refused
        // alone), and the broker, not this loop, decides how many run at once.
        foreach (var host in parse.GetValue(Hosts)!)
        {
            try
            {
                jobs.Add(await s.Client.SubmitJobAsync(host, action, parameters, ct, force: parse.GetValue(Force)));
                hosts.Add(host);
            }
            catch (IngotApiException e)
            {
                await s.Output.NoteAsync(Failures.Describe(e.Problem, s.Connection, host), ct);
                exit = Failures.ServerError;
            }
        }

        IReadOnlyList<JobView> shown = jobs;
        // Progress goes to stderr, so stdout stays the final table (or JSON) a script reads.
        if (parse.GetValue(Wait) && jobs.Count > 0) shown = await WatchCommand.FollowAsync(s, jobs, s.Output.NoteAsync, keep: false, ct);
        if (s.Output.IsJson) await s.Output.JsonAsync(shown, ct);
        else if (shown.Count > 0) await s.Output.RenderAsync(Table(hosts, shown), ct);

        if (parse.GetValue(Wait) && jobs.Count > 0) exit = Math.Max(exit, await JobOutcome.ReportAsync(s.Output, shown, ct));
        else if (!s.Output.IsJson && jobs.Count > 0)
            await s.Output.NoteAsync($"follow with: ingot jobs watch {string.Join(' ', jobs.Select(j => j.Id))}", ct);
        return exit;
    }

    // The host as the user typed it, so each row matches an argument even when a job names the machine otherwise.
    private static Table Table(IReadOnlyList<string> hosts, IReadOnlyList<JobView> jobs)
    {
        var table = Output.Table("HOST", "JOB", "STATUS");
        for (var i = 0; i < jobs.Count; i++) Output.Row(table, hosts[i], jobs[i].Id, jobs[i].Status);
        return table;
    }

    /// <summary>A param value in the API's JSON form.</summary>
    public static JsonElement Param<T>(T value) => JsonSerializer.SerializeToElement(value, IngotJson.Options);
}
