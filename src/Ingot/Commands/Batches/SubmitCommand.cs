using System.CommandLine;
using System.Text.Json;
using Ingot.Client;
using Ingot.Commands.Power;

namespace Ingot.Commands.Batches;

/// <summary>`ingot batch submit --action A (-f FILE | HOST…)`: one request for every host. Unlike `ingot power`,
/// which submits a job per host and goes on past refusals, the server admits a batch whole or not at all.</summary>
internal static class SubmitCommand
{
    public static Command Create(CliContext context)
    {
        // Not Required in the parser: its error exits 1, like a server refusal; a missing option is a usage mistake (exit 2).
        var action = new Option<string?>("--action")
        {
            Description = $"Required: what to do to every host: {string.Join(", ", BatchCommand.Actions)}.",
            HelpName = "action",
        };
        var image = new Option<string?>("--image") { Description = "reimage: the install image to boot ('ingot images list').", HelpName = "name" };
        var force = new Option<bool>("--force") { Description = "Allow reimage, wipe_disks, recycle and decommission on machines that are in_use." };
        var key = new Option<string?>("--idempotency-key")
        {
            Description = "Submit at most once: the same key with the same hosts and action returns the batch made the first time " +
                          "(safe to retry after a timeout).",
            HelpName = "key",
        };
        var precheck = new Option<string?>("--precheck")
        {
            Description = "Ask every host's BMC first: 'reject' refuses the batch if any does not answer; 'exclude' leaves those " +
                          "hosts out and names each with its reason.",
            HelpName = "reject|exclude",
        };
        precheck.AcceptOnlyFromAmong("reject", "exclude");
        var file = new Option<string?>("--file", "-f")
        {
            Description = "Read the hosts from this file, or '-' for stdin: one a line; blank lines and '#' comments are skipped.",
            HelpName = "path",
        };
        var hosts = new Argument<string[]>("host")
        {
            Description = "The machines, each by id, hardware_name or hostname (or give them with -f).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("submit", "Submit one action over many machines as a batch. The server admits it whole or refuses it: " +
                                            "a refusal names each bad host, or each host another active batch holds, on stderr (exit 1).")
        {
            action, image, force, key, precheck, file, hosts,
        };
        return command.Set(context, async (s, parse, ct) =>
        {
            if (parse.GetValue(action) is not { Length: > 0 } verb)
                throw new UsageException($"--action is required: one of {string.Join(", ", BatchCommand.Actions)}.");
            verb = verb.Trim();
            if (verb == JobActions.Reimage && string.IsNullOrWhiteSpace(parse.GetValue(image)))
                throw new UsageException("--image is required for reimage: the install image to boot ('ingot images list' shows them).");
            var targets = await HostsAsync(s, parse.GetValue(file), parse.GetValue(hosts) ?? [], ct);

            // Whether the image exists, and whether the action takes params at all, is the server's check (its 422).
            var parameters = new Dictionary<string, JsonElement>();
            if (parse.GetValue(image) is { Length: > 0 } name) parameters["image"] = HostJobs.Param(name.Trim());
            var submit = new BatchSubmit(verb, targets, parameters, parse.GetValue(force) ? true : null, parse.GetValue(precheck) switch
            {
                "reject" => JsonSerializer.SerializeToElement(true),
                "exclude" => JsonSerializer.SerializeToElement("exclude"),
                _ => null,
            });
            BatchView batch;
            try
            {
                batch = await s.Client.SubmitBatchAsync(submit, parse.GetValue(key), ct);
            }
            catch (IngotApiException e)
            {
                await RefusedAsync(s, e.Problem, ct);
                return Failures.ServerError;
            }
            await s.Output.WriteAsync(batch, b => Output.Details(("id", b.Id), ("action", b.Action), ("status", b.Status), ("hosts", b.Hosts),
                ("excluded", b.Excluded.Count)), ct);
            if (s.Output.IsJson) return 0;
            // On stderr, like a refusal: the hosts that will not be touched are what the submitter must follow up.
            if (batch.Excluded.Count > 0) await s.Output.NoteAsync($"{batch.Excluded.Count} host(s) left out by the precheck:", ct);
            foreach (var x in batch.Excluded) await s.Output.NoteAsync($"  {x.Host}: {x.Reason}", ct);
            await s.Output.NoteAsync($"follow with: ingot batch watch {batch.Id}", ct);
            return 0;
        });
    }

    /// <summary>The hosts from -f or the arguments, not both: a file plus a few more on the command line is more likely
    /// a slip than a plan, and a batch is not undone cheaply.</summary>
    private static async Task<IReadOnlyList<string>> HostsAsync(Session s, string? file, string[] arguments, CancellationToken ct)
    {
        if (file is not null && arguments.Length > 0)
            throw new UsageException("Give the hosts either with -f or as arguments, not both.");
        if (file is null)
            return arguments.Length > 0 ? arguments : throw new UsageException("No hosts: name them as arguments, or with -f FILE (or -f - for stdin).");
        var hosts = HostList.Parse(await TextInput.ReadAsync(s.Context, file, "host list", ct));
        return hosts.Count > 0 ? hosts : throw new UsageException($"{(file == "-" ? "stdin" : file)} lists no hosts.");
    }

    /// <summary>A refusal that names hosts prints each of them once, on a line of its own, under one line that says what
    /// to do (the problem's detail repeats the first hosts and is left out); any other refusal as every verb prints it.</summary>
    private static async Task RefusedAsync(Session s, Problem problem, CancellationToken ct)
    {
        var hosts = HostRefusals.Lines(problem);
        if (hosts.Count == 0)
        {
            await s.Output.NoteAsync(Failures.Describe(problem, s.Connection), ct);
            return;
        }
        var advice = problem.Status == 409
            ? "wait for the batches holding them, or cancel those ('ingot batch cancel BATCH')"
            : "fix or leave out these hosts";
        await s.Output.NoteAsync($"error: {problem.Title} ({problem.Status}): nothing was queued; {hosts.Count} host(s) refused, {advice}:", ct);
        foreach (var line in hosts) await s.Output.NoteAsync("  " + Failures.CliWording(line), ct);
    }
}
